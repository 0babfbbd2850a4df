using System.Text.RegularExpressions;
using Hotline.Core.Catalog;
using Hotline.Node.Users;
using Hotline.Storage;
using Hotline.Testing;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Hotline.Console.Tests.Browser;

/// <summary>Each side in its own language: Seoul's node speaks Korean, Beijing's Chinese; every person may choose.</summary>
public sealed partial class ConsoleLanguageBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Template = "NAV-IDENTIFY-REQUEST";

    private static Task<TwoNodeCluster> SeoulAndBeijingAsync() => TwoNodeCluster.StartAsync(new ClusterOptions
    {
        Node = new TestNodeOptions { Configure = c => c with { Language = c.Name == "Node A" ? "ko" : "zh" } },
    });

    [Fact]
    public async Task Each_person_reads_the_console_in_their_language_and_a_change_survives_signing_out()
    {
        await using var cluster = await SeoulAndBeijingAsync();
        var (seoul, beijing) = (cluster.A, cluster.B);
        // Without a language of their own, people read the node's.
        await using var kim = await ConsolePage.SignInAsync(browser, seoul, "kim", Roles.WatchOfficer, language: null);
        await using var wang = await ConsolePage.SignInAsync(browser, beijing, "wang", Roles.WatchOfficer, language: null);
        await using var smith = await ConsolePage.SignInAsync(browser, seoul, "smith", Roles.Operator, language: "en");

        await Expect(kim.Page.Locator("h1")).ToHaveTextAsync("회선 현황판");
        await Expect(kim.Page.Locator("html")).ToHaveAttributeAsync("lang", "ko");
        await Expect(kim.Page.GetByRole(AriaRole.Link, new() { Name = "메시지" })).ToBeVisibleAsync();
        await Expect(kim.Page.GetByTestId("peer-row")).ToContainTextAsync("연결");
        await Expect(kim.Page.GetByTestId("sign-out")).ToHaveTextAsync("로그아웃");
        // Times: the DTG, then the local form in the reader's language.
        await Expect(kim.Page.GetByTestId("peer-row").Locator("time").First).ToHaveTextAsync(KoreanTime());
        await Expect(wang.Page.Locator("h1")).ToHaveTextAsync("线路看板");
        await Expect(wang.Page.GetByTestId("peer-row")).ToContainTextAsync("连通");
        await Expect(wang.Page.GetByTestId("peer-row").Locator("time").First).ToHaveTextAsync(ChineseTime());
        await Expect(smith.Page.Locator("h1")).ToHaveTextAsync("Line board");
        await Expect(smith.Page.GetByTestId("peer-row")).ToContainTextAsync("UP");
        await kim.ScreenshotAsync("lang-ko-01-line-board");
        await wang.ScreenshotAsync("lang-zh-01-line-board");
        await kim.GoAsync("/pending");
        await Expect(kim.Page.Locator("h1")).ToHaveTextAsync("미결");
        await kim.ScreenshotAsync("lang-ko-04-pending");
        await wang.GoAsync("/readiness");
        await Expect(wang.Page.Locator("h1")).ToHaveTextAsync("战备状况");
        await wang.ScreenshotAsync("lang-zh-04-readiness");

        // Kim switches to Chinese: the page comes back in Chinese, the choice is stored and audited.
        await kim.GoAsync("/");
        await kim.Page.GetByTestId("language").SelectOptionAsync("zh");
        await Expect(kim.Page.Locator("h1")).ToHaveTextAsync("线路看板");
        await kim.WaitInteractiveAsync();
        var users = seoul.Service<IUserStore>();
        Assert.Equal("zh", users.FindUser("kim")!.Language);
        Assert.Contains(users.ListAudit(), e => e.Actor == "kim" && e.Action == "user.language" && e.Detail == "kim zh");
        // Smith's console did not change.
        await smith.GoAsync("/");
        await Expect(smith.Page.Locator("h1")).ToHaveTextAsync("Line board");

        await kim.Page.GetByTestId("sign-out").ClickAsync();
        // The sign-in form, whatever the load events of the pages on the way did.
        await Expect(kim.Page.Locator("#name")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Contains("/signin", kim.Page.Url, StringComparison.Ordinal);
        await kim.SignInAgainAsync("kim");
        await Expect(kim.Page.Locator("h1")).ToHaveTextAsync("线路看板");
        await Expect(kim.Page.GetByTestId("language")).ToHaveValueAsync("zh");

        // Before signing in, the form speaks the browser's language when the console has it, else the node's.
        foreach (var (locale, title) in new[] { ("zh-CN", "热线控制台"), ("en-GB", "Hotline console"), ("fr-FR", "핫라인 콘솔") })
        {
            await using var context = await browser.Browser.NewContextAsync(new() { Locale = locale });
            var page = await context.NewPageAsync();
            await page.GotoAsync(new Uri(seoul.Host.ApiUrl, "/signin").ToString());
            await Expect(page.Locator("h1")).ToHaveTextAsync(title);
        }
    }

    [Fact]
    public async Task A_catalog_message_composed_in_Korean_in_Seoul_reads_in_Chinese_in_Beijing_with_the_same_values()
    {
        await using var cluster = await SeoulAndBeijingAsync();
        var (seoul, beijing) = (cluster.A, cluster.B);
        await using var kim = await ConsolePage.SignInAsync(browser, seoul, "kim", Roles.WatchOfficer, language: null);
        await using var wang = await ConsolePage.SignInAsync(browser, beijing, "wang", Roles.WatchOfficer, language: null);
        var catalog = MessageCatalog.Default.Find(Template)!;

        await kim.GoAsync("/messages");
        var compose = kim.Page.GetByTestId("compose");
        await compose.GetByTestId("compose-kind").SelectOptionAsync("catalog");
        await compose.GetByTestId("compose-category").SelectOptionAsync(catalog.Category);
        await compose.GetByTestId("compose-template").SelectOptionAsync(Template);
        // The choice is worded in the reader's language.
        await Expect(compose.GetByTestId("compose-template").Locator($"option[value={Template}]")).ToContainTextAsync(catalog.Wording("ko")[..10]);
        await Expect(compose.GetByTestId("compose-category")).ToContainTextAsync("해상");

        // A latitude of 95: the server's error shows beside the form and nothing is sent.
        await compose.GetByTestId("param-position-lat").FillAsync("95");
        await compose.GetByTestId("param-position-lon").FillAsync("126.5");
        await compose.GetByTestId("param-course").FillAsync("90");
        await compose.Locator("button[type=submit]").ClickAsync();
        await Expect(compose.GetByTestId("compose-result")).ToContainTextAsync("latitude 95 is outside -90..90");
        await Expect(compose.GetByTestId("compose-result")).ToHaveClassAsync("error");
        await kim.ScreenshotAsync("lang-ko-02-compose-catalog-refused");
        Assert.Empty(seoul.Service<IMessageHistory>().ListLatest(10));
        await Expect(kim.Page.GetByTestId("message")).ToHaveCountAsync(0);

        await compose.GetByTestId("param-position-lat").FillAsync("37.5");
        await compose.Locator("button[type=submit]").ClickAsync();
        await Expect(compose.GetByTestId("compose-result")).ToHaveClassAsync("ok");
        var values = catalog.Validate(new Dictionary<string, string> { ["position"] = "37.5,126.5", ["course"] = "90" }).Normalized;
        await Expect(kim.Page.GetByTestId("message-text")).ToHaveTextAsync(catalog.Render("ko", values));
        await Expect(kim.Page.GetByTestId("catalog-id")).ToContainTextAsync(Template);
        await kim.ScreenshotAsync("lang-ko-02-compose-catalog-sent");

        await wang.GoAsync("/messages");
        var received = wang.Page.GetByTestId("message");
        await Expect(received.GetByTestId("message-text")).ToHaveTextAsync(catalog.Render("zh", values));
        await Expect(received.GetByTestId("original-language")).ToHaveTextAsync("中文");
        await Expect(received.GetByTestId("catalog-id")).ToContainTextAsync(Template);
        await wang.ScreenshotAsync("lang-zh-02-catalog-received");
        // The same values travelled: the wire holds the id and the normalised values, no wording.
        var stored = beijing.Service<IMessageHistory>().ListLatest(10).Single().Envelope.Template!;
        Assert.Equal(values.OrderBy(v => v.Key), stored.ValueMap().OrderBy(v => v.Key));
    }

    [Fact]
    public async Task Beijing_translates_a_Korean_message_a_second_person_certifies_it_and_Seoul_sees_both_side_by_side()
    {
        const string Korean = "09시 장관 통화를 요청합니다";
        const string Chinese = "请求09时部长通话";
        await using var cluster = await SeoulAndBeijingAsync();
        var (seoul, beijing) = (cluster.A, cluster.B);
        await using var kim = await ConsolePage.SignInAsync(browser, seoul, "kim", Roles.WatchOfficer, language: null);
        await using var wang = await ConsolePage.SignInAsync(browser, beijing, "wang", Roles.WatchOfficer, language: null);
        await using var zhao = await ConsolePage.SignInAsync(browser, beijing, "zhao", Roles.Operator, language: null);

        await kim.GoAsync("/messages");
        await Expect(kim.Page.GetByTestId("compose-language")).ToHaveValueAsync("ko");
        await kim.Page.Locator("#c-text").FillAsync(Korean);
        await kim.Page.GetByTestId("compose").Locator("button[type=submit]").ClickAsync();
        await Expect(kim.Page.GetByTestId("compose-result")).ToHaveClassAsync("ok");

        await wang.GoAsync("/messages");
        var atWang = wang.Page.GetByTestId("message").Filter(new() { HasText = Korean });
        await Expect(atWang.GetByTestId("original-language")).ToHaveTextAsync("한국어");
        await atWang.GetByTestId("translate").ClickAsync();
        await Expect(atWang.GetByTestId("translation-language")).ToHaveValueAsync("zh");
        await atWang.GetByTestId("translation-input").FillAsync(Chinese);
        await atWang.GetByTestId("save-translation").ClickAsync();
        var translation = atWang.GetByTestId("translation");
        await Expect(translation.GetByTestId("translation-text")).ToHaveTextAsync(Chinese);
        await Expect(translation.GetByTestId("translator")).ToContainTextAsync("wang");

        // The translator cannot certify their own translation: the node refuses (409) and the page says so.
        await translation.GetByTestId("certify").ClickAsync();
        await Expect(translation.GetByTestId("certify-result")).ToContainTextAsync("409");
        await Expect(translation.GetByTestId("certification")).ToHaveTextAsync("尚未核证");

        await zhao.GoAsync("/messages");
        var atZhao = zhao.Page.GetByTestId("message").Filter(new() { HasText = Korean }).GetByTestId("translation");
        await atZhao.GetByTestId("certify").ClickAsync();
        await Expect(atZhao.GetByTestId("certification")).ToContainTextAsync("zhao");
        await Expect(translation.GetByTestId("certification")).ToContainTextAsync("zhao");
        await wang.ScreenshotAsync("lang-zh-03-translation-certified");

        // Seoul: original and translation side by side, with translator and certifier.
        var atKim = kim.Page.GetByTestId("message").Filter(new() { HasText = Korean });
        var there = atKim.GetByTestId("translation");
        await Expect(there.GetByTestId("translation-text")).ToHaveTextAsync(Chinese);
        await Expect(there.GetByTestId("translator")).ToContainTextAsync("wang");
        await Expect(there.GetByTestId("certification")).ToContainTextAsync("zhao");
        await Expect(atKim.GetByTestId("original").GetByTestId("message-text")).ToHaveTextAsync(Korean);
        var original = (await atKim.GetByTestId("original").BoundingBoxAsync())!;
        var beside = (await there.BoundingBoxAsync())!;
        Assert.True(beside.X >= original.X + original.Width - 1 && Math.Abs(beside.Y - original.Y) < 2, $"original at {original.X},{original.Y}, translation at {beside.X},{beside.Y}");
        await kim.ScreenshotAsync("lang-ko-03-translation-side-by-side");

        var audit = beijing.Service<IUserStore>().ListAudit();
        Assert.Contains(audit, e => e.Actor == "wang" && e.Action == "message.translate");
        Assert.Contains(audit, e => e.Actor == "wang" && e.Action == "translation.certify.refused");
        Assert.Contains(audit, e => e.Actor == "zhao" && e.Action == "translation.certify");
        Assert.DoesNotContain(audit, e => e.Detail.Contains(Chinese, StringComparison.Ordinal) || e.Detail.Contains(Korean, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_administrator_sets_another_person_s_language_and_it_is_audited()
    {
        await using var cluster = await SeoulAndBeijingAsync();
        var seoul = cluster.A;
        var users = seoul.Service<UserService>();
        await users.AddAsync("park", [Roles.Operator], "a long password", "test", language: null);
        await using var root = await ConsolePage.SignInAsync(browser, seoul, "root", Roles.Administrator, language: "en");
        await root.GoAsync("/users");

        var park = root.Page.GetByTestId("users").Locator("tr").Filter(new() { HasText = "park" });
        await park.GetByLabel("Language of park").SelectOptionAsync("zh");

        await Expect(root.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("park now reads the console in");
        await root.ScreenshotAsync("lang-en-users-language");
        Assert.Equal("zh", seoul.Service<IUserStore>().FindUser("park")!.Language);
        Assert.Contains(seoul.Service<IUserStore>().ListAudit(), e => e is { Actor: "root", Action: "user.language", Detail: "park zh" });
        await using var parkPage = await ConsolePage.OpenAsync(browser, seoul);
        await parkPage.SignInAgainAsync("park");
        await Expect(parkPage.Page.Locator("h1")).ToHaveTextAsync("线路看板");
    }

    [GeneratedRegex(@"^\d{6}Z [A-Z]{3} \d{2} · \d{4}년 \d{1,2}월 \d{1,2}일 \d{2}:\d{2}$")]
    private static partial Regex KoreanTime();

    [GeneratedRegex(@"^\d{6}Z [A-Z]{3} \d{2} · \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$")]
    private static partial Regex ChineseTime();
}
