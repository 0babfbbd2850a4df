using System.Security.Claims;
using Hotline.Node.ConsoleUi;
using Hotline.Node.Messaging;
using Hotline.Node.Users;
using Hotline.Storage;
using Hotline.Testing;
using Microsoft.AspNetCore.Components.Authorization;
using Xunit;

namespace Hotline.Console.Tests.Users;

/// <summary>The roles hold in the server-side handlers, whatever a page shows.</summary>
public sealed class ConsoleSessionTests
{
    [Fact]
    public async Task An_operator_cannot_acknowledge_a_FLASH_but_a_watch_officer_can()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (a, b) = (cluster.A, cluster.B);
        var flash = (await a.SendAsync(b, "ministerial", "FLASH test", "FLASH")).Value!;
        var routine = (await a.SendAsync(b, "ministerial", "routine test", "ROUTINE")).Value!;
        await cluster.WaitAllDeliveredAsync();

        var op = await SessionAsync(b, "li", Roles.Operator);
        var denied = await op.AcknowledgeAsync(flash.Id, null);
        Assert.Contains("watch officer", denied.Error, StringComparison.Ordinal);
        Assert.Null(b.Store.FindMessage(flash.Id, Direction.Inbound)!.AcknowledgedAt);
        Assert.Null((await op.AcknowledgeAsync(routine.Id, "ok")).Error);

        var watch = await SessionAsync(b, "wang", Roles.WatchOfficer);
        Assert.Null((await watch.AcknowledgeAsync(flash.Id, "received")).Error);
        Assert.Equal("wang", b.Store.FindMessage(flash.Id, Direction.Inbound)!.AcknowledgedBy);
        var audit = b.Service<IUserStore>().ListAudit();
        Assert.Contains(audit, e => e is { Actor: "li", Action: "denied" });
        Assert.Contains(audit, e => e is { Actor: "wang", Action: "message.acknowledge" });
    }

    [Fact]
    public async Task An_auditor_cannot_send_and_an_administrator_cannot_read()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var auditor = await SessionAsync(cluster.A, "park", Roles.Auditor);
        var sent = await auditor.SendAsync(new SendRequest { Peer = cluster.B.Id, Channel = "ministerial", Text = "should not go" });
        Assert.NotNull(sent.Error);
        Assert.Empty(cluster.A.Outbound(cluster.B));
        Assert.Null((await auditor.MessagesAsync(10)).Error);
        Assert.Null((await auditor.AuditLogAsync()).Error);

        var admin = await SessionAsync(cluster.A, "root", Roles.Administrator);
        Assert.NotNull((await admin.MessagesAsync(10)).Error);
        Assert.NotNull((await admin.AuditLogAsync()).Error);
        Assert.Null((await admin.UsersAsync()).Error);
        Assert.Equal("Only an administrator manages users.", (await auditor.UsersAsync()).Error);

        // What the console says back is in the person's language.
        var koreanAdmin = await SessionAsync(cluster.A, "lee", Roles.Administrator, language: "ko");
        Assert.Equal("귀하의 역할에는 메시지 열람이 포함되어 있지 않습니다.", (await koreanAdmin.MessagesAsync(10)).Error);
        var chineseAuditor = await SessionAsync(cluster.A, "wang", Roles.Auditor, language: "zh");
        Assert.Equal("您的角色不允许此操作（message.send）。", (await chineseAuditor.SendAsync(new SendRequest { Peer = cluster.B.Id, Channel = "ministerial", Text = "x" })).Error);
    }

    [Fact]
    public async Task Catalog_messages_read_in_the_user_s_language_and_an_auditor_cannot_translate_or_certify()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var values = new Dictionary<string, string> { ["position"] = "37.5,126.5" };
        var sent = (await cluster.A.Messages.SendAsync(new SendRequest { Peer = cluster.B.Id, Channel = "ministerial", Template = "NAV-IDENTIFY-REQUEST", Params = values }, default)).Value!;
        var catalog = Hotline.Core.Catalog.MessageCatalog.Default.Find("NAV-IDENTIFY-REQUEST")!;
        var normalized = catalog.Validate(values).Normalized;

        // The node speaks English; Kim reads Korean.
        var kim = await SessionAsync(cluster.A, "kim", Roles.Operator, "ko");
        Assert.Equal(catalog.Render("ko", normalized), (await kim.MessagesAsync(10)).Value!.Single().Text);
        var smith = await SessionAsync(cluster.A, "smith", Roles.Operator);
        Assert.Equal(catalog.Render("en", normalized), (await smith.MessagesAsync(10)).Value!.Single().Text);

        var auditor = await SessionAsync(cluster.A, "park", Roles.Auditor);
        Assert.NotNull((await auditor.TranslateAsync(sent.Id, "zh", "译文")).Error);
        Assert.Empty(((IMessageHistory)cluster.A.Store).ListTranslations([sent.Id]));
        var made = await kim.TranslateAsync(sent.Id, "zh", "译文");
        Assert.Null(made.Error);
        Assert.NotNull((await auditor.CertifyAsync(made.Value!.Id, null)).Error);
        Assert.StartsWith("409", (await kim.CertifyAsync(made.Value.Id, null)).Error, StringComparison.Ordinal);
        Assert.Null((await smith.CertifyAsync(made.Value.Id, "checked")).Error);
        var audit = cluster.A.Service<IUserStore>().ListAudit();
        Assert.Equal(2, audit.Count(e => e is { Actor: "park", Action: "denied" }));
        Assert.Contains(audit, e => e is { Actor: "kim", Action: "translation.certify.refused", Detail: "409" });
        Assert.Contains(audit, e => e is { Actor: "smith", Action: "translation.certify" });
    }

    [Fact]
    public async Task A_session_ends_when_the_user_is_disabled()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var op = await SessionAsync(cluster.A, "kim", Roles.Operator);
        await cluster.A.Service<UserService>().SetDisabledAsync("kim", true, "test");
        var sent = await op.SendAsync(new SendRequest { Peer = cluster.B.Id, Channel = "ministerial", Text = "after disable" });
        Assert.Contains("sign in again", sent.Error, StringComparison.Ordinal);
    }

    /// <summary>A console session of a new user, called directly: what a forged call from a circuit would reach.</summary>
    internal static async Task<ConsoleSession> SessionAsync(InProcessNode node, string name, string role, string? language = null)
    {
        var users = node.Service<UserService>();
        var user = (await users.AddAsync(name, [role], "a long password", "test", language: language)).User!;
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(ConsoleSession.StampClaim, user.Stamp),
        ], "test"));
        var auth = new FixedAuth(principal);
        return new ConsoleSession(auth, users, node.Service<IUserStore>(), node.Store, (IMessageHistory)node.Store, node.Messages, new ConsoleBus(),
            new ConsoleText(auth, users, node.Service<Hotline.Node.Link.LinkPolicy>()));
    }

    private sealed class FixedAuth(ClaimsPrincipal principal) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(principal));
    }
}
