using Hotline.Node.Users;
using Hotline.Storage;
using Hotline.Testing;
using Xunit;

namespace Hotline.Console.Tests.Users;

/// <summary>The real <c>hotline user</c> command, on the data folder of a running node.</summary>
public sealed class UserCommandTests
{
    [Fact]
    public async Task User_add_makes_an_administrator_with_TOTP_beside_a_running_node_who_can_then_sign_in()
    {
        using var temp = new TempFolder("usercli");
        await using var node = await InProcessNode.StartAsync(temp.Combine("n"), "Node N");
        var data = node.Folder.Path;

        var add = await HotlineCli.RunAsync(["user", "add", "alice", "--roles", "administrator", "--password-stdin", "--data", data], stdin: "alice's long password\n");
        Assert.True(add.ExitCode == 0, add.ToString());
        var secret = add.StdoutLines.Single(l => l.StartsWith("TOTP secret", StringComparison.Ordinal))["TOTP secret".Length..].Trim();
        Assert.Contains(add.StdoutLines, l => l.StartsWith("otpauth URI otpauth://totp/", StringComparison.Ordinal));
        Assert.Contains(add.StdoutLines, l => l.Contains(node.Host.ApiUrl.ToString(), StringComparison.Ordinal));

        var users = node.Service<UserService>();
        Assert.Null((await users.SignInAsync("alice", "alice's long password", null, "test")).User);
        Assert.NotNull((await users.SignInAsync("alice", "alice's long password", TotpCodes.Compute(secret, DateTimeOffset.UtcNow), "test")).User);

        var disable = await HotlineCli.RunAsync(["user", "disable", "alice", "--data", data]);
        Assert.Equal(0, disable.ExitCode);
        Assert.True(node.Service<IUserStore>().FindUser("alice")!.Disabled);

        var again = await HotlineCli.RunAsync(["user", "add", "alice", "--roles", "operator", "--password", "0123456789", "--data", data]);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);
        var bad = await HotlineCli.RunAsync(["user", "add", "bob", "--roles", "superuser", "--data", data]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains(node.Service<IUserStore>().ListAudit(), e => e.Actor.StartsWith("cli:", StringComparison.Ordinal) && e.Action == "user.add");
    }

    [Fact]
    public async Task User_add_and_user_language_set_the_console_language_and_refuse_an_unknown_one()
    {
        using var temp = new TempFolder("usercli");
        await using var node = await InProcessNode.StartAsync(temp.Combine("n"), "Node N");
        var data = node.Folder.Path;
        var store = node.Service<IUserStore>();

        var add = await HotlineCli.RunAsync(["user", "add", "kim", "--roles", "operator", "--password", "0123456789", "--language", "ko", "--data", data]);
        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.Equal("ko", store.FindUser("kim")!.Language);

        var bad = await HotlineCli.RunAsync(["user", "add", "lee", "--roles", "operator", "--password", "0123456789", "--language", "fr", "--data", data]);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("'fr' is not one of ko, zh, en", bad.Stderr, StringComparison.Ordinal);
        Assert.Null(store.FindUser("lee"));

        var set = await HotlineCli.RunAsync(["user", "language", "kim", "zh", "--data", data]);
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal("zh", store.FindUser("kim")!.Language);
        var list = await HotlineCli.RunAsync(["user", "list", "--data", data]);
        Assert.Contains(list.StdoutLines, l => l.StartsWith("kim", StringComparison.Ordinal) && l.Contains(" zh ", StringComparison.Ordinal));
        Assert.Equal(1, (await HotlineCli.RunAsync(["user", "language", "kim", "xx", "--data", data])).ExitCode);
        Assert.Equal("zh", store.FindUser("kim")!.Language);
    }
}
