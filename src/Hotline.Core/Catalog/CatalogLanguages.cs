namespace Hotline.Core.Catalog;

/// <summary>The languages every catalog message is worded in, and the mapping from BCP 47 tags to them.</summary>
public static class CatalogLanguages
{
    public const string Korean = "ko";
    /// <summary>Chinese in Simplified characters.</summary>
    public const string Chinese = "zh";
    public const string English = "en";

    public static IReadOnlyList<string> All { get; } = [Korean, Chinese, English];

    /// <summary>
    /// The catalog language for a BCP 47 tag (<c>ko-KR</c>, <c>zh-CN</c>, <c>zh-Hans</c>, <c>en-GB</c>, ...), or null
    /// when the catalog has no wording for it. The Chinese wording is Simplified, so Traditional tags
    /// (<c>zh-Hant</c>, or <c>zh-TW</c>, <c>zh-HK</c>, <c>zh-MO</c> without a script) are not supported.
    /// </summary>
    public static string? Normalize(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag))
        {
            return null;
        }
        var parts = tag.Trim().Replace('_', '-').ToLowerInvariant().Split('-');
        var subtags = parts.Skip(1).ToArray();
        var script = subtags.FirstOrDefault(s => s.Length == 4);
        var traditional = script is not null ? script == "hant" : subtags.Any(s => s is "tw" or "hk" or "mo");
        return parts[0] switch
        {
            Korean => Korean,
            English => English,
            Chinese when !traditional => Chinese,
            _ => null,
        };
    }

    /// <summary>Like <see cref="Normalize"/>, for a language the caller must have: an unsupported one is a bug.</summary>
    internal static string Require(string tag) =>
        Normalize(tag) ?? throw new ArgumentException($"language '{tag}' is not in the catalog: use {string.Join(", ", All)}", nameof(tag));
}
