using Hotline.Core.Messages;

namespace Hotline.Core.Catalog;

/// <summary>Renders a catalog message that travelled as id, version and values, in the reader's language.</summary>
public static class CatalogText
{
    public sealed record Rendered(string Text, string? Warning);

    public static Rendered Render(TemplateRef t, string language)
    {
        var catalog = MessageCatalog.Default;
        var values = t.ValueMap();
        var raw = $"[{t.Id}] " + string.Join("; ", t.Values.Select(v => $"{v.Key}={v.Value}"));
        if (catalog.Find(t.Id) is not { } message)
        {
            return new Rendered(raw, $"{t.Id} is not in catalog {catalog.Version} (the sender uses {t.CatalogVersion}): shown as sent");
        }
        var check = message.Validate(values);
        if (!check.Ok)
        {
            return new Rendered(raw, $"values do not fit catalog {catalog.Version} ({string.Join("; ", check.Errors)}): shown as sent");
        }
        var warning = t.CatalogVersion == catalog.Version ? null : $"sent with catalog {t.CatalogVersion}; rendered with catalog {catalog.Version}";
        return new Rendered(message.Render(language, check.Normalized), warning);
    }
}
