namespace Hotline.Core.Messages;

/// <summary>
/// A standard catalog message as it travels: its id, the sender's catalog version and the
/// normalised parameter values. Each side renders it in its own language.
/// </summary>
public sealed record TemplateRef(string Id, string CatalogVersion, IReadOnlyList<KeyValuePair<string, string>> Values)
{
    public IReadOnlyDictionary<string, string> ValueMap() => Values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
}
