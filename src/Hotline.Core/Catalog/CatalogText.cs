using Hotline.Core.Messages;

namespace Hotline.Core.Catalog;

/// <summary>Renders a catalog message that travelled as id, version and values, in the reader's language.</summary>
public static class CatalogText
{
    public sealed record Rendered(string Text, string? Warning);

    public static Rendered Render(TemplateRef t, string language)
    {
        var (message, normalized, problem) = Check(t);
        if (message is null)
        {
            return new Rendered($"[{t.Id}] " + string.Join("; ", t.Values.Select(v => $"{v.Key}={v.Value}")), problem);
        }
        var catalog = MessageCatalog.Default;
        var warning = t.CatalogVersion == catalog.Version ? null : $"sent with catalog {t.CatalogVersion}; rendered with catalog {catalog.Version}";
        return new Rendered(message.RenderValid(language, normalized!), warning);
    }

    /// <summary>Why the message cannot be rendered from this node's catalog (it is then shown as sent), or null.</summary>
    public static string? Problem(TemplateRef t) => Check(t).Problem;

    private static (CatalogMessage? Message, IReadOnlyDictionary<string, string>? Normalized, string? Problem) Check(TemplateRef t)
    {
        var catalog = MessageCatalog.Default;
        if (catalog.Find(t.Id) is not { } message)
        {
            return (null, null, $"{t.Id} is not in catalog {catalog.Version} (the sender uses {t.CatalogVersion}): shown as sent");
        }
        var check = message.Validate(t.ValueMap());
        return check.Ok
            ? (message, check.Normalized, null)
            : (null, null, $"values do not fit catalog {catalog.Version} ({string.Join("; ", check.Errors)}): shown as sent");
    }
}
