using System.Text.Json;

namespace Hotline.Core.Catalog;

/// <summary>
/// The standard messages both sides share, read from <c>catalog/hotline-catalog.json</c>. Any change
/// to ids, parameters or meaning comes with a new <see cref="Version"/>.
/// </summary>
public sealed class MessageCatalog
{
    internal const string ResourceName = "Hotline.Core.Catalog.hotline-catalog.json";

    private static readonly Lazy<MessageCatalog> Embedded = new(LoadEmbedded);
    private static readonly Lazy<string> EmbeddedVersion = new(ReadEmbeddedVersion);

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

    /// <summary>
    /// <see cref="Default"/>'s version, read without the rest of the catalog. A link's Hello states
    /// it: checking the whole catalog (about 100 ms of a cold start, mostly first-use compiling) held
    /// a node's first session back by as much.
    /// </summary>
    public static string DefaultVersion => EmbeddedVersion.Value;

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
        using var reader = new StreamReader(OpenEmbedded());
        return Load(reader.ReadToEnd());
    }

    private static string ReadEmbeddedVersion()
    {
        using var stream = OpenEmbedded();
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return VersionOf(bytes) ?? throw new InvalidOperationException($"resource {ResourceName} states no version");
    }

    /// <summary>A catalog file's top-level "version", or null; nothing else in it is read or checked.</summary>
    internal static string? VersionOf(ReadOnlySpan<byte> file)
    {
        var json = new Utf8JsonReader(file);
        if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var isVersion = json.ValueTextEquals("version"u8);
            json.Read();
            if (isVersion)
            {
                return json.TokenType == JsonTokenType.String ? json.GetString() : null;
            }
            json.Skip();
        }
        return null;
    }

    private static Stream OpenEmbedded() => typeof(MessageCatalog).Assembly.GetManifestResourceStream(ResourceName)
        ?? throw new InvalidOperationException($"resource {ResourceName} is missing from Hotline.Core");
}
