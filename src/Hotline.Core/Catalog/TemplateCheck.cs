namespace Hotline.Core.Catalog;

/// <summary>
/// The result of checking values against a catalog message: the values in their normalised form
/// (what goes on the wire), or errors each naming a parameter and the fix.
/// </summary>
public sealed record TemplateCheck(bool Ok, IReadOnlyDictionary<string, string> Normalized, IReadOnlyList<string> Errors);
