using System.Text.Json.Nodes;
using Hotline.Core.Catalog;
using Xunit;

namespace Hotline.Core.Tests.Catalog;

/// <summary>A catalog file with a mistake is refused as a whole, with a message saying where and what.</summary>
public sealed class CatalogLoadTests
{
    private static string Changed(Action<JsonObject> change)
    {
        var json = SampleCatalog.Json();
        change(json);
        return json.ToJsonString();
    }

    private static void Word(JsonObject catalog, string lang, string text) => SampleCatalog.Message(catalog)["wording"]![lang] = text;

    public static TheoryData<string, Action<JsonObject>, string> Mistakes() => new()
    {
        { "no version", c => c.Remove("version"), "version" },
        { "bad version", c => c["version"] = "one", "catalog version 'one' is not of the form YYYY.N" },
        { "unknown field", c => c["colour"] = "red", "colour" },
        { "no messages", c => c["messages"] = new JsonArray(), "catalog holds no messages" },
        { "language missing", c => c["languages"]!.AsObject().Remove("zh"), "catalog languages lack the language 'zh'" },
        { "duplicate id", c => c["messages"]!.AsArray().Add(SampleCatalog.Message(SampleCatalog.Json()).DeepClone()), "catalog has the id TEST-ALL 2 times" },
        { "bad id", c => SampleCatalog.Message(c)["id"] = "nav alter", "catalog message nav alter: the id must be upper-case words" },
        { "unknown type", c => SampleCatalog.Message(c)["parameters"]![0]!["type"] = "colour", "parameter ship has the unknown type 'colour'" },
        { "parameter twice", c => SampleCatalog.Message(c)["parameters"]![1]!["name"] = "ship", "parameter ship is declared twice" },
        { "wording missing", c => SampleCatalog.Message(c)["wording"]!.AsObject().Remove("ko"), "catalog message TEST-ALL: wording lack the language 'ko'" },
        { "undeclared placeholder", c => Word(c, "zh", "{ship} {pos} {brg} {crs} {spd} {alt} {at} {n} {nobody}[ {note}]"), "wording 'zh' uses {nobody}, which is not a declared parameter" },
        { "parameter not used", c => Word(c, "en", "{ship} {pos} {brg} {crs} {spd} {alt} {at}[ {note}]"), "wording 'en' does not use parameter n" },
        { "optional outside segment", c => Word(c, "ko", "{ship} {pos} {brg} {crs} {spd} {alt} {at} {n} {note}"), "wording 'ko' uses the optional parameter note outside a [...] segment" },
        { "unclosed segment", c => Word(c, "en", "{ship} {pos} {brg} {crs} {spd} {alt} {at} {n}[ {note}"), "wording 'en': '[' without ']'" },
        { "nested segment", c => Word(c, "en", "{ship} {pos} {brg} {crs} {spd} {alt} {at} {n}[ [{note}]]"), "wording 'en': unbalanced or nested [ ]" },
        { "stray brace", c => Word(c, "en", "{ship} {pos} {brg} {crs} {spd} {alt} {at} {n}[ {note}] {Bad}"), "a brace that is not a placeholder" },
    };

    [Fact]
    public void The_sample_catalog_loads()
    {
        var catalog = MessageCatalog.Load(SampleCatalog.Json().ToJsonString());

        Assert.Equal("2026.1", catalog.Version);
        Assert.Single(catalog.Messages);
    }

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void A_catalog_with_a_mistake_is_refused_saying_what_is_wrong(string mistake, Action<JsonObject> change, string expected)
    {
        var e = Assert.Throws<CatalogException>(() => MessageCatalog.Load(Changed(change)));

        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{mistake}: {e.Message}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("null")]
    public void Something_that_is_not_a_catalog_is_refused(string json)
    {
        Assert.Throws<CatalogException>(() => MessageCatalog.Load(json));
    }
}
