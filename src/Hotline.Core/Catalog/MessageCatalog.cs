namespace Hotline.Core.Catalog;

/// <summary>
/// The standard messages both sides share, read from <c>catalog/hotline-catalog.json</c>. Any change
/// to ids, parameters or meaning comes with a new <see cref="Version"/>.
/// </summary>
public sealed class MessageCatalog
{
    internal const string ResourceName = "Hotline.Core.Catalog.hotline-catalog.json";

    private static readonly Lazy<MessageCatalog> Embedded = new(LoadEmbedded);

    private readonly Dictionary<string, CatalogMessage> _byId;

    internal MessageCatalog(string version, string review, IReadOnlyDictionary<string, string> languageReview, IReadOnlyList<CatalogMessage> messages)
    {
        Version = version;
        Review = review;
        LanguageReview = languageReview;
        Messages = messages;
        _byId = messages.ToDictionary(m => m.Id, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The catalog built into Hotline.Core.</summary>
    public static MessageCatalog Default => Embedded.Value;

    /// <summary>Like <c>2026.1</c>.</summary>
    public string Version { get; }

    /// <summary>How far the wording has been reviewed, e.g. "machine-drafted; needs review by native speakers".</summary>
    public string Review { get; }

    /// <summary>The review status of each language's wording.</summary>
    public IReadOnlyDictionary<string, string> LanguageReview { get; }

    public IReadOnlyList<CatalogMessage> Messages { get; }

    public IReadOnlyList<string> Languages => CatalogLanguages.All;

    /// <summary>The message with this id (letter case ignored), or null.</summary>
    public CatalogMessage? Find(string id) => _byId.GetValueOrDefault(id.Trim());

    /// <summary>Reads and checks a catalog file; a bad one throws <see cref="CatalogException"/> saying what is wrong.</summary>
    public static MessageCatalog Load(string json) => CatalogReader.Read(json);

    private static MessageCatalog LoadEmbedded()
    {
        using var stream = typeof(MessageCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing from Hotline.Core");
        using var reader = new StreamReader(stream);
        return Load(reader.ReadToEnd());
    }
}
