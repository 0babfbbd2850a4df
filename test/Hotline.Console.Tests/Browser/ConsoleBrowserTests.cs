using Hotline.Node.Users;
using Hotline.Storage;
using Hotline.Testing;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Hotline.Console.Tests.Browser;

/// <summary>Two real nodes, two people in a real Chromium.</summary>
public sealed class ConsoleBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly System.Text.RegularExpressions.Regex SignIn = new("/signin");

    private const string Script = "<img src=x onerror=alert(1)>";

    [Fact]
    public async Task The_console_is_served_on_the_operator_port_with_its_Blazor_script()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        using var http = new HttpClient { BaseAddress = cluster.A.Host.ApiUrl };
        var script = await http.GetStringAsync("/_framework/blazor.web.js");
        Assert.True(script.Length > 10_000, $"blazor.web.js is {script.Length} characters");
        var signin = await http.GetAsync("/signin");
        Assert.Equal(System.Net.HttpStatusCode.OK, signin.StatusCode);
        Assert.Contains("hotline.af.", string.Join(";", signin.Headers.GetValues("Set-Cookie")), StringComparison.Ordinal);
        Assert.Contains("samesite=strict", string.Join(";", signin.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("script-src 'self'", string.Join(";", signin.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("DENY", signin.Headers.GetValues("X-Frame-Options").Single());
        // Not signed in: the console redirects to the sign-in form.
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = cluster.A.Host.ApiUrl };
        var board = await noRedirect.GetAsync("/");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, board.StatusCode);
        Assert.Contains("/signin", board.Headers.Location!.ToString(), StringComparison.Ordinal);
        // A sign-in without the antiforgery token is refused.
        var forged = await noRedirect.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["Name"] = "x", ["Password"] = "y" }));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [Fact]
    public async Task A_FLASH_from_Seoul_sounds_in_Beijing_is_acknowledged_there_and_shows_acknowledged_in_Seoul()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (seoul, beijing) = (cluster.A, cluster.B);
        await using var kim = await ConsolePage.SignInAsync(browser, seoul, "kim", Roles.WatchOfficer);
        await using var wang = await ConsolePage.SignInAsync(browser, beijing, "wang", Roles.WatchOfficer);
        await Expect(wang.Page.GetByTestId("peer-row")).ToContainTextAsync("UP");
        await wang.ScreenshotAsync("01-line-board");

        await kim.GoAsync("/messages");
        await kim.Page.GetByLabel("Precedence").SelectOptionAsync("FLASH");
        await kim.Page.GetByLabel("Text", new() { Exact = true }).FillAsync(Script);
        await kim.Page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(kim.Page.GetByTestId("compose-result")).ToContainTextAsync("Sent FLASH");
        await kim.ScreenshotAsync("02-compose-sent");

        // Beijing's board raises the alarm without a reload, and it sounds until someone silences it.
        await Expect(wang.Page.GetByTestId("alarm-item")).ToContainTextAsync("FLASH");
        await wang.Page.WaitForFunctionAsync("() => window.hotlineAlarm.active === true");
        await wang.ScreenshotAsync("03-flash-alarm");
        await wang.Page.GetByTestId("silence").ClickAsync();
        await Expect(wang.Page.GetByTestId("silenced")).ToBeVisibleAsync();
        Assert.False(await wang.Page.EvaluateAsync<bool>("() => window.hotlineAlarm.active"));

        // The peer's text is shown as text, never run.
        await wang.GoAsync("/messages");
        var message = wang.Page.GetByTestId("message").Filter(new() { HasText = "FLASH" });
        await Expect(message.GetByTestId("message-text")).ToHaveTextAsync(Script);
        Assert.Equal(0, await message.Locator("img").CountAsync());
        await wang.ScreenshotAsync("04-channel-view");

        // Shown to the watch officer: Seoul learns it was seen, and by whom.
        await Expect(kim.Page.GetByTestId("message").First).ToHaveAttributeAsync("data-state", "seen");

        await wang.Page.GetByLabel("Reply (optional)").FillAsync("Received, calling back");
        await message.GetByTestId("acknowledge").ClickAsync();
        await Expect(message).ToHaveAttributeAsync("data-state", "acknowledged");
        await Expect(wang.Page.GetByTestId("alarm-bar")).ToHaveCountAsync(0);

        await Expect(kim.Page.GetByTestId("message").First).ToHaveAttributeAsync("data-state", "acknowledged");
        await Expect(kim.Page.GetByTestId("message").First).ToContainTextAsync("acknowledged by wang");
        await kim.ScreenshotAsync("05-acknowledged-at-sender");
        Assert.Empty(kim.Dialogs);
        Assert.Empty(wang.Dialogs);
    }

    [Fact]
    public async Task An_operator_cannot_acknowledge_a_FLASH_and_an_auditor_cannot_send_but_reads_the_audit_log()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (seoul, beijing) = (cluster.A, cluster.B);
        await seoul.SendAsync(beijing, "ministerial", "FLASH for a watch officer", "FLASH");
        await seoul.SendAsync(beijing, "ministerial", "routine note", "ROUTINE");
        await cluster.WaitAllDeliveredAsync();

        await using var li = await ConsolePage.SignInAsync(browser, beijing, "li", Roles.Operator);
        await li.GoAsync("/messages");
        var flash = li.Page.GetByTestId("message").Filter(new() { HasText = "FLASH for a watch officer" });
        await Expect(flash.GetByTestId("needs-watch-officer")).ToBeVisibleAsync();
        Assert.Equal(0, await flash.GetByTestId("acknowledge").CountAsync());
        var routine = li.Page.GetByTestId("message").Filter(new() { HasText = "routine note" });
        await routine.GetByTestId("acknowledge").ClickAsync();
        await Expect(routine).ToHaveAttributeAsync("data-state", "acknowledged");
        await li.GoAsync("/pending");
        await Expect(li.Page.GetByTestId("pending-item")).ToHaveCountAsync(1);
        await li.ScreenshotAsync("06-pending");

        await using var park = await ConsolePage.SignInAsync(browser, beijing, "park", Roles.Auditor);
        await park.GoAsync("/messages");
        await Expect(park.Page.GetByTestId("message")).ToHaveCountAsync(2);
        Assert.Equal(0, await park.Page.GetByTestId("compose").CountAsync());
        await park.GoAsync("/audit");
        await Expect(park.Page.GetByTestId("audit-log")).ToContainTextAsync("message.acknowledge");
        await Expect(park.Page.GetByTestId("audit-log")).ToContainTextAsync("sign-in");
        await park.ScreenshotAsync("07-audit-log");

        await using var root = await ConsolePage.SignInAsync(browser, beijing, "root", Roles.Administrator);
        await root.GoAsync("/users");
        await Expect(root.Page.GetByTestId("users")).ToContainTextAsync("park");
        await root.ScreenshotAsync("08-users");
        await root.GoAsync("/messages");
        await Expect(root.Page.GetByTestId("no-read")).ToContainTextAsync("do not include reading messages");
        Assert.Equal(0, await root.Page.GetByTestId("message").CountAsync());
        Assert.Contains(beijing.Service<IUserStore>().ListAudit(), e => e is { Actor: "root", Action: "sign-in" });
    }

    [Fact]
    public async Task A_missed_acknowledgement_deadline_sounds_the_alarm_and_shows_overdue_with_its_reason()
    {
        // A short ROUTINE acknowledgement deadline on the real clock: a fake clock jumped by hours
        // would also time out the browser's SignalR connection.
        var deadline = TimeSpan.FromSeconds(8);
        var options = new TestNodeOptions
        {
            Configure = c => c with { Deadlines = c.Deadlines with { Routine = new Hotline.Core.Messages.Deadline(TimeSpan.FromHours(1), deadline) } },
        };
        await using var cluster = await TwoNodeCluster.StartAsync(new ClusterOptions { Node = options });
        var (seoul, beijing) = (cluster.A, cluster.B);
        await seoul.SendAsync(beijing, "navy", "Routine report", "ROUTINE");
        await cluster.WaitAllDeliveredAsync();
        await using var kim = await ConsolePage.SignInAsync(browser, seoul, "kim", Roles.Operator);

        await Expect(kim.Page.GetByTestId("alarm-item")).ToContainTextAsync("DEADLINE MISSED", new() { Timeout = 30_000 });
        await kim.Page.WaitForFunctionAsync("() => window.hotlineAlarm.active === true");
        var overdue = kim.Page.GetByTestId("pending-item");
        await Expect(overdue).ToContainTextAsync("OVERDUE by");
        await Expect(overdue).ToContainTextAsync("CHOICE");
        await kim.ScreenshotAsync("11-deadline-missed");
        await kim.Page.GetByTestId("silence").ClickAsync();
        await kim.Page.WaitForFunctionAsync("() => window.hotlineAlarm.active === false");
        // The browser stops the sound before the server has written the audit entry.
        await Poll.UntilAsync(() => seoul.Service<IUserStore>().ListAudit().Any(e => e is { Actor: "kim", Action: "alarm.silence" }), "the silence to be audited");
    }

    [Fact]
    public async Task The_outgoing_watch_writes_a_handover_note_and_the_incoming_watch_confirms_it()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        await using var outgoing = await ConsolePage.SignInAsync(browser, cluster.A, "kim", Roles.WatchOfficer);
        await using var incoming = await ConsolePage.SignInAsync(browser, cluster.A, "lee", Roles.Operator);
        await outgoing.GoAsync("/handover");
        await outgoing.Page.GetByLabel("Note for the incoming watch").FillAsync("Line quiet. Beijing asked for a call at 0900Z.");
        await outgoing.Page.GetByRole(AriaRole.Button, new() { Name = "Hand over" }).ClickAsync();
        await Expect(outgoing.Page.GetByTestId("handover")).ToHaveAttributeAsync("data-confirmed", "false");

        await incoming.GoAsync("/handover");
        await incoming.Page.GetByRole(AriaRole.Button, new() { Name = "Confirm: I have the watch" }).ClickAsync();
        await Expect(incoming.Page.GetByTestId("handover")).ToHaveAttributeAsync("data-confirmed", "true");
        // The writer's page follows without a reload.
        await Expect(outgoing.Page.GetByTestId("handover")).ToContainTextAsync("by lee");
        await incoming.ScreenshotAsync("09-handover");
        // A wall display: the same screen, larger type.
        await incoming.Page.SetViewportSizeAsync(2560, 1440);
        await incoming.GoAsync("/");
        await incoming.ScreenshotAsync("10-wall-display");

        // Signing out ends the session: the console sends us back to the sign-in form.
        // (Reaching the sign-in address is the point. The address is polled: WaitForURLAsync, when the
        // address already matches, waits for a load state instead, which can lag on a loaded machine.)
        await incoming.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(incoming.Page).ToHaveURLAsync(SignIn);
        await incoming.Page.GotoAsync(new Uri(incoming.Root, "/handover").ToString(), new() { WaitUntil = WaitUntilState.Commit });
        await Expect(incoming.Page).ToHaveURLAsync(SignIn);
        Assert.Contains(cluster.A.Service<IUserStore>().ListAudit(), e => e is { Actor: "lee", Action: "sign-out" });
        var audit = cluster.A.Service<IUserStore>().ListAudit();
        Assert.Contains(audit, e => e is { Actor: "kim", Action: "handover.write" });
        Assert.Contains(audit, e => e is { Actor: "lee", Action: "handover.confirm" });
    }
}
