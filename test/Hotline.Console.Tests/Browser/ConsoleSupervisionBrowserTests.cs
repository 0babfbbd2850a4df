using Hotline.Core.Transcript.Evidence;
using Hotline.Console.Tests.Users;
using Hotline.Node.ConsoleUi;
using Hotline.Node.Hosting;
using Hotline.Node.Link;
using Hotline.Node.Supervision;
using Hotline.Node.Users;
using Hotline.Storage;
using Hotline.Testing;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Hotline.Console.Tests.Browser;

/// <summary>Line tests, readiness, the auditor's record screens and the administrator's screens, in a real Chromium against two real nodes.</summary>
public sealed class ConsoleSupervisionBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_watch_officer_starts_a_line_test_from_the_board_Beijing_answers_it_and_Seoul_shows_answered_and_its_readiness()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (seoul, beijing) = (cluster.A, cluster.B);
        await using var kim = await ConsolePage.SignInAsync(browser, seoul, "kim", Roles.WatchOfficer);
        await using var li = await ConsolePage.SignInAsync(browser, beijing, "li", Roles.Operator);
        await Expect(kim.Page.GetByTestId("last-line-test")).ToContainTextAsync("no line test in the last 7 days");
        await Expect(li.Page.GetByTestId("incoming-test")).ToHaveCountAsync(0);

        // From the keyboard: focus the button and press Enter.
        await kim.Page.GetByTestId("start-line-test").FocusAsync();
        await kim.Page.Keyboard.PressAsync("Enter");
        await Expect(kim.Page.GetByTestId("line-test-result")).ToContainTextAsync("Line test sent to Node B");
        await Expect(kim.Page.GetByTestId("linetest-outcome")).ToHaveAttributeAsync("data-outcome", "pending");
        await kim.ScreenshotAsync("12-line-test-started");

        // Beijing's board shows the test without a reload; the operator on watch answers it.
        var incoming = li.Page.GetByTestId("incoming-test");
        await Expect(incoming).ToContainTextAsync("from Node A");
        await Expect(incoming).ToContainTextAsync("by kim");
        await li.ScreenshotAsync("13-line-test-incoming");
        await incoming.GetByTestId("answer-line-test").ClickAsync();
        await Expect(li.Page.GetByTestId("line-test-result")).ToContainTextAsync("Answered the line test from Node A");
        await Expect(li.Page.GetByTestId("incoming-test")).ToHaveCountAsync(0);

        // Seoul's board follows: answered, by whom, in how long.
        var last = kim.Page.GetByTestId("last-line-test");
        await Expect(last.GetByTestId("linetest-outcome")).ToHaveAttributeAsync("data-outcome", "answered");
        await Expect(last).ToContainTextAsync("by li in");
        await Expect(last.GetByTestId("next-line-test")).ToContainTextAsync("next scheduled: none");
        await kim.ScreenshotAsync("14-line-test-answered");
        var test = Assert.Single(seoul.Service<LineTestService>().List(null, DateTimeOffset.UtcNow.AddHours(-1)));
        Assert.Equal(("answered", "li", "kim"), (test.Outcome, test.AnsweredBy, test.StartedBy));
        Assert.Contains(seoul.Service<IUserStore>().ListAudit(), e => e is { Actor: "kim", Action: "linetest.start" });
        Assert.Contains(beijing.Service<IUserStore>().ListAudit(), e => e is { Actor: "li", Action: "linetest.answer" } && e.Detail.EndsWith("answered", StringComparison.Ordinal));

        // The readiness report of the link: the chart, and the same figures as text.
        await kim.GoAsync("/readiness");
        await Expect(kim.Page.GetByTestId("readiness")).ToContainTextAsync("Node B");
        await Expect(kim.Page.GetByTestId("sent-answered")).ToHaveTextAsync("1");
        await Expect(kim.Page.GetByTestId("uptime")).ToContainTextAsync("%");
        var chart = kim.Page.GetByTestId("readiness-chart");
        await Expect(chart).ToHaveAttributeAsync("alt", new System.Text.RegularExpressions.Regex("line test"));
        await kim.Page.WaitForFunctionAsync("() => document.querySelector('[data-testid=readiness-chart]').naturalWidth === 960");
        await kim.Page.GetByLabel("Period").SelectOptionAsync("7");
        await Expect(kim.Page.Locator("#chart-title")).ToContainTextAsync(Hotline.Core.Messages.Dtg.Format(DateTimeOffset.UtcNow.AddDays(-7))[..4]);
        await kim.Page.GetByText("Every line test in the period (1)").ClickAsync();
        await Expect(kim.Page.GetByTestId("readiness-answers")).ToContainTextAsync("ANSWERED");
        await kim.ScreenshotAsync("15-readiness");
        Assert.Contains(seoul.Service<IUserStore>().ListAudit(), e => e is { Actor: "kim", Action: "readiness.read" } && e.Detail.EndsWith(" 7d", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_a_watch_officer_may_start_a_line_test_and_the_server_refuses_anyone_else()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var seoul = cluster.A;
        foreach (var (name, role) in new[] { ("lee", Roles.Operator), ("park", Roles.Auditor), ("root", Roles.Administrator) })
        {
            await using var person = await ConsolePage.SignInAsync(browser, seoul, name, role);
            await Expect(person.Page.GetByTestId("peer-row")).ToContainTextAsync("UP");
            Assert.Equal(0, await person.Page.GetByTestId("start-line-test").CountAsync());
        }

        // The same call the board's button makes, forged for an operator: refused, nothing sent, audited.
        var op = await ConsoleSessionTests.SessionAsync(seoul, "choi", Roles.Operator);
        var forged = await new ConsoleLineTests(op, seoul.Service<LineTestService>(), TimeProvider.System).StartAsync(cluster.B.Id);
        Assert.Contains("linetest.start", forged.Error, StringComparison.Ordinal);
        Assert.Empty(seoul.Service<LineTestService>().List(null, DateTimeOffset.UtcNow.AddHours(-1)));
        Assert.Contains(seoul.Service<IUserStore>().ListAudit(), e => e is { Actor: "choi", Action: "denied" } && e.Detail.StartsWith("linetest.start", StringComparison.Ordinal));
        var watch = await ConsoleSessionTests.SessionAsync(seoul, "kang", Roles.WatchOfficer);
        Assert.Null((await new ConsoleLineTests(watch, seoul.Service<LineTestService>(), TimeProvider.System).StartAsync(cluster.B.Id)).Error);
    }

    [Fact]
    public async Task An_auditor_verifies_the_record_and_downloads_a_bundle_that_verifies_and_an_operator_cannot()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (seoul, beijing) = (cluster.A, cluster.B);
        await seoul.SendAsync(beijing, "navy", "Exercise starts at 0600Z", "PRIORITY");
        await beijing.SendAsync(seoul, "navy", "Understood", "ROUTINE");
        await cluster.WaitAllDeliveredAsync();
        await seoul.Api.PostAsync($"/api/peers/{beijing.Id}/checkpoint", new { });

        await using var park = await ConsolePage.SignInAsync(browser, seoul, "park", Roles.Auditor);
        await Expect(park.Page.GetByRole(AriaRole.Link, new() { Name = "Record" })).ToBeVisibleAsync();
        await park.GoAsync("/records");
        await park.Page.GetByRole(AriaRole.Button, new() { Name = "Verify the record" }).ClickAsync();
        await Expect(park.Page.GetByTestId("verify-result")).ToHaveAttributeAsync("data-ok", "true");
        var link = park.Page.GetByTestId("verify-link");
        await Expect(link).ToContainTextAsync("Node B");
        await Expect(link).ToContainTextAsync("covers out 1–1, in 1–1");
        await Expect(link).ToContainTextAsync("out: #1 ");
        await park.ScreenshotAsync("16-record-verified");

        // A bad window is refused with a reason, and nothing is downloaded.
        await park.Page.GetByLabel("From (UTC, optional)").FillAsync("2026-11-28T10:00");
        await park.Page.GetByLabel("To (UTC, optional)").FillAsync("2026-11-27T10:00");
        await park.Page.GetByRole(AriaRole.Button, new() { Name = "Download evidence bundle" }).ClickAsync();
        await Expect(park.Page.GetByTestId("export-error")).ToContainTextAsync("later than");
        await park.WaitInteractiveAsync();

        var download = await park.Page.RunAndWaitForDownloadAsync(() =>
            park.Page.GetByRole(AriaRole.Button, new() { Name = "Download evidence bundle" }).ClickAsync());
        Assert.StartsWith("hotline-evidence-Node-B-", download.SuggestedFilename, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        var report = BundleVerifier.Verify(bytes);
        Assert.True(report.Ok, string.Join("; ", report.Problems));
        Assert.Equal(2, report.Entries.Count(e => e.Envelope.Text is "Exercise starts at 0600Z" or "Understood"));
        var audit = seoul.Service<IUserStore>().ListAudit();
        Assert.Contains(audit, e => e is { Actor: "park", Action: "record.verify" } && e.Detail.StartsWith("OK", StringComparison.Ordinal));
        Assert.Single(audit, e => e is { Actor: "park", Action: "record.export" });

        // An operator sees no such screen, and a forged post with a valid antiforgery token is refused.
        await using var lee = await ConsolePage.SignInAsync(browser, seoul, "lee", Roles.Operator);
        Assert.Equal(0, await lee.Page.GetByRole(AriaRole.Link, new() { Name = "Record" }).CountAsync());
        await lee.GoAsync("/records");
        await Expect(lee.Page.GetByTestId("not-auditor")).ToBeVisibleAsync();
        var token = await lee.Page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        var form = lee.Page.Context.APIRequest.CreateFormData();
        form.Set("__RequestVerificationToken", token!);
        form.Set("Peer", beijing.Id);
        var forged = await lee.Page.Context.APIRequest.PostAsync(new Uri(lee.Root, "/console/evidence").ToString(), new() { Form = form, MaxRedirects = 0 });
        Assert.Equal(403, forged.Status);
        Assert.Contains(seoul.Service<IUserStore>().ListAudit(), e => e is { Actor: "lee", Action: "denied" } && e.Detail.StartsWith("record.export", StringComparison.Ordinal));
        Assert.Single(seoul.Service<IUserStore>().ListAudit(), e => e.Action == "record.export");
    }

    [Fact]
    public async Task An_administrator_edits_a_peers_endpoints_and_reads_the_settings_without_their_secrets()
    {
        const string secret = "very-secret-hmac-key";
        var options = new TestNodeOptions
        {
            Configure = c => c with
            {
                Escalation = new EscalationConfig
                {
                    Steps = [new() { Name = "duty operator", AfterSeconds = 0, Hooks = ["ops"] }],
                    Hooks = new Dictionary<string, HookConfig>
                    {
                        ["ops"] = new() { Webhook = new WebhookConfig { Url = "https://alice:hunter2@ops.example/hotline?token=abc123", Secret = secret } },
                        ["pager"] = new() { Command = new CommandHookConfig { Path = "/usr/local/bin/page-duty", Args = ["--key=pager-key-456"] } },
                    },
                },
            },
        };
        await using var cluster = await TwoNodeCluster.StartAsync(new ClusterOptions { Node = options });
        var (seoul, beijing) = (cluster.A, cluster.B);
        var before = seoul.Service<PeerDirectory>().FindById(beijing.Id)!.Endpoints;
        await using var root = await ConsolePage.SignInAsync(browser, seoul, "root", Roles.Administrator);
        Assert.Equal(0, await root.Page.GetByRole(AriaRole.Link, new() { Name = "Messages" }).CountAsync());
        await root.Page.GetByRole(AriaRole.Link, new() { Name = "Peers" }).ClickAsync();
        var peer = root.Page.GetByTestId("admin-peer");
        await Expect(peer.GetByTestId("fingerprint")).ToHaveTextAsync(cluster.CardB.Fingerprint);
        await Expect(peer.GetByTestId("endpoints")).ToContainTextAsync(before[0]);

        // A bad address: a clear error, and nothing changes.
        var box = root.Page.GetByLabel("New endpoints for Node B, one per line, most preferred first");
        await box.FillAsync("ftp://192.0.2.40:7443");
        await root.Page.GetByRole(AriaRole.Button, new() { Name = "Save endpoints" }).ClickAsync();
        await Expect(peer.GetByTestId("endpoints-result")).ToContainTextAsync("is not an absolute https:// address");
        Assert.Equal(before, seoul.Service<PeerDirectory>().FindById(beijing.Id)!.Endpoints);

        await box.FillAsync($"{before[0]}\nhttps://192.0.2.40:7443/");
        await root.Page.GetByRole(AriaRole.Button, new() { Name = "Save endpoints" }).ClickAsync();
        await Expect(peer.GetByTestId("endpoints-result")).ToContainTextAsync("Saved");
        await Expect(peer.GetByTestId("endpoints").Locator("li")).ToHaveCountAsync(2);
        Assert.Equal([before[0], "https://192.0.2.40:7443"], seoul.Service<PeerDirectory>().FindById(beijing.Id)!.Endpoints);
        Assert.Contains(seoul.Service<IUserStore>().ListAudit(), e => e is { Actor: "root", Action: "peer.endpoints" } && e.Detail.Contains("192.0.2.40", StringComparison.Ordinal));
        await root.ScreenshotAsync("17-peers");

        await root.Page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await Expect(root.Page.GetByTestId("settings-link")).ToContainTextAsync("Heartbeat every");
        await Expect(root.Page.GetByTestId("settings-deadlines")).ToContainTextAsync("FLASH");
        await Expect(root.Page.GetByTestId("settings-escalation")).ToContainTextAsync("duty operator");
        await Expect(root.Page.GetByTestId("settings-hooks")).ToContainTextAsync("https://ops.example/hotline");
        await Expect(root.Page.GetByTestId("settings-hooks")).ToContainTextAsync("set (hidden)");
        var html = await root.Page.ContentAsync();
        foreach (var hidden in new[] { secret, "hunter2", "abc123", "pager-key-456" })
        {
            Assert.DoesNotContain(hidden, html, StringComparison.Ordinal);
        }
        await root.ScreenshotAsync("18-settings");
    }
}
