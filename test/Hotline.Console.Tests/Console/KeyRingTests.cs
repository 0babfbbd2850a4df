using System.Net;
using Hotline.Testing;
using Xunit;

namespace Hotline.Console.Tests.Console;

/// <summary>The console's cookie keys are made when the console is first used, not while a node starts.</summary>
public sealed class KeyRingTests
{
    [Fact]
    public async Task A_started_node_has_made_no_cookie_key_until_the_console_is_opened()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var keys = Path.Combine(cluster.A.Folder.Path, "console-keys");
        await cluster.A.SendAsync(cluster.B, "navy", "Radio check", "ROUTINE");
        await cluster.WaitAllDeliveredAsync();
        Assert.Empty(Directory.GetFiles(keys));

        // The sign-in page carries an antiforgery token: the key ring is read, and a key made, then.
        using var http = new HttpClient { BaseAddress = cluster.A.Host.ApiUrl };
        using var page = await http.GetAsync("/signin");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("__RequestVerificationToken", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(keys, "key-*.xml"));
    }
}
