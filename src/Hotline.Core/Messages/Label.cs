using System.Globalization;

namespace Hotline.Core.Messages;

/// <summary>
/// A confidentiality label (policy, classification, releasable-to), after the idea of
/// STANAG 4774 / XEP-0258. A link allows only the labels both nodes listed at pairing.
/// </summary>
public sealed record Label
{
    public required string Policy { get; init; }
    public required string Classification { get; init; }
    public IReadOnlyList<string> ReleasableTo { get; init; } = [];

    public static readonly Label Default = new() { Policy = "HOTLINE", Classification = "UNCLASSIFIED" };

    /// <summary>The display form, also accepted by <see cref="TryParse"/>: <c>UNCLASSIFIED//HOTLINE//REL KOR,CHN</c>.</summary>
    public override string ToString() =>
        ReleasableTo.Count == 0
            ? $"{Classification}//{Policy}"
            : $"{Classification}//{Policy}//REL {string.Join(',', ReleasableTo)}";

    // Field by field (every arriving envelope's label is checked against both lists): no display form built.
    public bool Equals(Label? other) =>
        other is not null && Classification == other.Classification && Policy == other.Policy
        && ReleasableTo.SequenceEqual(other.ReleasableTo, StringComparer.Ordinal);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Classification, StringComparer.Ordinal);
        hash.Add(Policy, StringComparer.Ordinal);
        foreach (var country in ReleasableTo)
        {
            hash.Add(country, StringComparer.Ordinal);
        }
        return hash.ToHashCode();
    }

    public static bool TryParse(string? text, out Label? label)
    {
        label = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var parts = text.Split("//", StringSplitOptions.TrimEntries);
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            return false;
        }
        IReadOnlyList<string> rel = [];
        if (parts.Length == 3)
        {
            if (!parts[2].StartsWith("REL ", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            rel = parts[2][4..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(r => r.ToUpperInvariant()).ToArray();
        }
        label = new Label
        {
            Classification = parts[0].ToUpper(CultureInfo.InvariantCulture),
            Policy = parts[1].ToUpper(CultureInfo.InvariantCulture),
            ReleasableTo = rel,
        };
        return true;
    }

    /// <summary>Labels both sides listed: what a link allows.</summary>
    public static IReadOnlyList<Label> Agreed(IEnumerable<Label> mine, IEnumerable<Label> theirs) =>
        mine.Where(m => theirs.Any(t => t.Equals(m))).ToArray();
}
