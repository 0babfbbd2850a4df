namespace Hotline.Core.Catalog;

/// <summary>A named, typed value a catalog message takes.</summary>
public sealed record CatalogParameter
{
    public required string Name { get; init; }
    public required ParameterType Type { get; init; }
    /// <summary>An optional parameter appears only in optional <c>[...]</c> segments of the wording.</summary>
    public bool Required { get; init; } = true;
    /// <summary>Descriptions by catalog language; any may be missing.</summary>
    public IReadOnlyDictionary<string, string> Description { get; init; } = new Dictionary<string, string>();

    /// <summary>The description in a language, falling back to English, or null.</summary>
    public string? DescriptionIn(string lang) =>
        Description.GetValueOrDefault(CatalogLanguages.Require(lang)) ?? Description.GetValueOrDefault(CatalogLanguages.English);
}
