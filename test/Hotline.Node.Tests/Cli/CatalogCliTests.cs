using Hotline.Core.Catalog;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Cli;

/// <summary><c>hotline catalog</c> reads the catalog built into the program: no data folder, no node.</summary>
public sealed class CatalogCliTests
{
    [Fact]
    public async Task Catalog_list_prints_every_message_with_its_wording_in_the_language_asked()
    {
        var result = await HotlineCli.RunAsync("catalog", "list", "--lang", "ko-KR");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"Catalog {MessageCatalog.Default.Version}", result.StdoutLines[0], StringComparison.Ordinal);
        Assert.Equal(MessageCatalog.Default.Messages.Count + 1, result.StdoutLines.Length);
        var line = Assert.Single(result.StdoutLines, l => l.StartsWith("NAV-ALTER-STARBOARD ", StringComparison.Ordinal));
        Assert.Contains("naval", line, StringComparison.Ordinal);
        Assert.Contains("우리 측 함정({our_ship})은 우현으로 변침하고 있습니다.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catalog_list_by_category_shows_only_that_category()
    {
        var result = await HotlineCli.RunAsync("catalog", "list", "--category", "sar");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.All(result.StdoutLines.Skip(1), l => Assert.StartsWith("SAR-", l, StringComparison.Ordinal));
        Assert.Equal(MessageCatalog.Default.Messages.Count(m => m.Category == "sar"), result.StdoutLines.Length - 1);
    }

    [Fact]
    public async Task Catalog_show_prints_the_wording_in_all_languages_the_parameters_and_the_version()
    {
        var result = await HotlineCli.RunAsync("catalog", "show", "nav-exercise");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"NAV-EXERCISE  (naval, catalog {MessageCatalog.Default.Version})", result.Stdout, StringComparison.Ordinal);
        var message = MessageCatalog.Default.Find("NAV-EXERCISE")!;
        foreach (var lang in MessageCatalog.Default.Languages)
        {
            Assert.Contains($"{lang}  {message.Wording(lang)}", result.StdoutLines);
        }
        Assert.Contains(result.StdoutLines, l => l.StartsWith("start ", StringComparison.Ordinal) && l.Contains("time", StringComparison.Ordinal) && l.Contains("required", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Catalog_show_with_a_language_prints_that_wording_only()
    {
        var result = await HotlineCli.RunAsync("catalog", "show", "PROC-LINE-TEST", "--lang", "zh-Hans");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("zh  这是线路测试，请确认收到。", result.StdoutLines);
        Assert.DoesNotContain(result.StdoutLines, l => l.StartsWith("en  ", StringComparison.Ordinal));
        Assert.Contains("Parameters: none", result.StdoutLines);
    }

    [Fact]
    public async Task Catalog_show_of_an_unknown_id_points_to_catalog_list()
    {
        CliTests.AssertOneLineFailure(await HotlineCli.RunAsync("catalog", "show", "NAV-NO-SUCH"), "run 'hotline catalog list'");
    }

    [Fact]
    public async Task Catalog_with_an_unsupported_language_or_category_says_what_to_use()
    {
        CliTests.AssertOneLineFailure(await HotlineCli.RunAsync("catalog", "list", "--lang", "zh-TW"), "use --lang ko, zh or en");
        CliTests.AssertOneLineFailure(await HotlineCli.RunAsync("catalog", "list", "--category", "space"), "naval, air, emergency, sar, incident, procedure");
    }
}
