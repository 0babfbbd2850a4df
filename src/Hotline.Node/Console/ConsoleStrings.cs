using System.Reflection;
using System.Text.Json;
using Hotline.Core.Catalog;

namespace Hotline.Node.ConsoleUi;

/// <summary>
/// The console's labels in every catalog language, read once from the embedded <c>i18n/*.json</c>
/// files (one flat object of key → text per language).
/// </summary>
public sealed class ConsoleStrings
{
    private static readonly Lazy<ConsoleStrings> Embedded = new(() => Load(lang =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream($"console/i18n/{lang}.json")
        ?? throw new InvalidOperationException($"the console labels for '{lang}' are not embedded")));

    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> _byLanguage;

    private ConsoleStrings(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> byLanguage) => _byLanguage = byLanguage;

    public static ConsoleStrings Default => Embedded.Value;

    public IReadOnlyDictionary<string, string> For(string language) => _byLanguage[language];

    /// <summary>The label in a language; a key missing there falls back to English, then shows itself (a test catches both).</summary>
    public string Get(string language, string key) =>
        _byLanguage.GetValueOrDefault(language)?.GetValueOrDefault(key) ?? _byLanguage[CatalogLanguages.English].GetValueOrDefault(key) ?? key;

    public static ConsoleStrings Load(Func<string, Stream> open) =>
        new(CatalogLanguages.All.ToDictionary(lang => lang, lang =>
        {
            using var stream = open(lang);
            return (IReadOnlyDictionary<string, string>)JsonSerializer.Deserialize<Dictionary<string, string>>(stream)!;
        }));
}
