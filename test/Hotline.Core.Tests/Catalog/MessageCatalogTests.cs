using System.Text.RegularExpressions;
using Hotline.Core.Catalog;
using Xunit;

namespace Hotline.Core.Tests.Catalog;

/// <summary>The catalog that ships with Hotline: complete, consistent, and renderable in every language.</summary>
public sealed partial class MessageCatalogTests
{
    private static readonly MessageCatalog Catalog = MessageCatalog.Default;

    public static TheoryData<string> Ids() => new(MessageCatalog.Default.Messages.Select(m => m.Id));

    [Fact]
    public void Default_catalog_has_a_version_a_review_note_and_at_least_40_messages_with_unique_ids()
    {
        Assert.Matches(@"^\d{4}\.\d+$", Catalog.Version);
        Assert.Contains("needs review by native speakers", Catalog.Review, StringComparison.Ordinal);
        Assert.Equal(["ko", "zh", "en"], Catalog.Languages);
        Assert.Equal(["ko", "zh", "en"], Catalog.LanguageReview.Keys);
        Assert.True(Catalog.Messages.Count >= 40, $"only {Catalog.Messages.Count} messages");
        Assert.Equal(Catalog.Messages.Count, Catalog.Messages.Select(m => m.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void The_version_a_link_states_is_read_from_the_top_of_the_file_alone()
    {
        // Read from the embedded file by VersionOf, as the checked catalog states it.
        Assert.Equal(Catalog.Version, MessageCatalog.DefaultVersion);

        // Only the top level counts, wherever "version" stands in it.
        Assert.Equal("2027.3", MessageCatalog.VersionOf("""{"languages":{"en":{"version":"9.9"}},"messages":[{"version":"1"}],"version":"2027.3"}"""u8));
        Assert.Null(MessageCatalog.VersionOf("""{"languages":{"version":"2027.3"}}"""u8));
        Assert.Null(MessageCatalog.VersionOf("""{"version":2027}"""u8));
        Assert.Null(MessageCatalog.VersionOf("""["version","2027.3"]"""u8));
    }

    [Fact]
    public void Default_catalog_covers_every_category()
    {
        Assert.Equal(["air", "emergency", "incident", "naval", "procedure", "sar"],
            Catalog.Messages.Select(m => m.Category).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Find_ignores_letter_case_and_returns_null_for_an_unknown_id()
    {
        Assert.Same(Catalog.Find("NAV-ALTER-STARBOARD"), Catalog.Find("nav-alter-starboard"));
        Assert.NotNull(Catalog.Find("NAV-ALTER-STARBOARD"));
        Assert.Null(Catalog.Find("NAV-DOES-NOT-EXIST"));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_placeholder_is_a_declared_parameter_and_every_parameter_is_in_every_language(string id)
    {
        var message = Catalog.Find(id)!;
        var declared = message.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        foreach (var lang in Catalog.Languages)
        {
            var used = Placeholder().Matches(message.Wording(lang)).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(declared, used);
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_message_renders_in_every_language_with_every_parameter(string id)
    {
        var message = Catalog.Find(id)!;
        var values = message.Parameters.ToDictionary(p => p.Name, p => Sample(p).Value);
        foreach (var lang in Catalog.Languages)
        {
            var text = message.Render(lang, values);

            AssertNoTemplateLeft(text);
            foreach (var p in message.Parameters)
            {
                Assert.Contains(Sample(p).Rendered[lang], text, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_message_renders_with_its_required_parameters_only(string id)
    {
        var message = Catalog.Find(id)!;
        var values = message.Parameters.Where(p => p.Required).ToDictionary(p => p.Name, p => Sample(p).Value);
        foreach (var lang in Catalog.Languages)
        {
            var text = message.Render(lang, values);

            AssertNoTemplateLeft(text);
            foreach (var p in message.Parameters.Where(p => !p.Required))
            {
                Assert.DoesNotContain(Sample(p).Rendered[lang], text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Optional_segment_appears_only_with_its_value()
    {
        var message = Catalog.Find("NAV-ALTER-STARBOARD")!;

        Assert.Equal("Our ship DDG-991 is altering course to starboard.",
            message.Render("en", new Dictionary<string, string> { ["our_ship"] = "DDG-991" }));
        Assert.Equal("Our ship DDG-991 is altering course to starboard, new course 095°.",
            message.Render("en-GB", new Dictionary<string, string> { ["our_ship"] = "DDG-991", ["course"] = "95" }));
        Assert.Equal("우리 측 함정(DDG-991)은 우현으로 변침하고 있습니다. 새 침로는 095°입니다.",
            message.Render("ko-KR", new Dictionary<string, string> { ["our_ship"] = "DDG-991", ["course"] = "95" }));
        Assert.Equal("我方舰艇DDG-991正在向右转向，新航向095°。",
            message.Render("zh-CN", new Dictionary<string, string> { ["our_ship"] = "DDG-991", ["course"] = "95" }));
    }

    [Fact]
    public void Wording_in_an_unsupported_language_is_refused()
    {
        var message = Catalog.Find("PROC-LINE-TEST")!;

        var e = Assert.Throws<ArgumentException>(() => message.Wording("fr"));
        Assert.Contains("ko, zh, en", e.Message, StringComparison.Ordinal);
    }

    private static void AssertNoTemplateLeft(string text)
    {
        Assert.True(text.IndexOfAny(['{', '}', '[', ']']) < 0, $"template syntax left in: {text}");
    }

    private sealed record SampleValue(string Value, IReadOnlyDictionary<string, string> Rendered);

    private static SampleValue Same(string value, string rendered) => new(value, new Dictionary<string, string> { ["ko"] = rendered, ["zh"] = rendered, ["en"] = rendered });

    /// <summary>A valid value per type and how each language must show it; callsigns and texts differ per parameter.</summary>
    private static SampleValue Sample(CatalogParameter p) => p.Type switch
    {
        ParameterType.Position => new("37.5665,126.9780", new Dictionary<string, string>
        {
            ["ko"] = "북위 37°33.99′ 동경 126°58.68′",
            ["zh"] = "北纬37°33.99′ 东经126°58.68′",
            ["en"] = "37°33.99′N 126°58.68′E",
        }),
        ParameterType.Callsign => Same(p.Name.Replace('_', '-').ToLowerInvariant(), p.Name.Replace('_', '-').ToUpperInvariant()),
        ParameterType.Bearing => Same("45", "045°"),
        ParameterType.Course => Same("270.5", "270.5°"),
        ParameterType.Speed => new("12", new Dictionary<string, string> { ["ko"] = "12노트", ["zh"] = "12 节", ["en"] = "12 kn" }),
        ParameterType.Altitude => new("35000", new Dictionary<string, string> { ["ko"] = "35,000피트", ["zh"] = "35,000 英尺", ["en"] = "35,000 ft" }),
        ParameterType.Time => new("271530Z NOV 26", new Dictionary<string, string>
        {
            ["ko"] = "2026년 11월 27일 15:30 UTC",
            ["zh"] = "2026年11月27日 15:30 UTC",
            ["en"] = "271530Z NOV 26",
        }),
        ParameterType.Count => Same("17", "17"),
        ParameterType.Text => Same($"sample {p.Name}", $"sample {p.Name}"),
        _ => throw new ArgumentOutOfRangeException(nameof(p)),
    };

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex Placeholder();
}
