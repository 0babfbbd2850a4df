using Hotline.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Hotline.Node.Tests.Supervision;

public sealed class EndpointsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_peers_endpoints_are_replaced_from_the_cli_and_the_link_dials_the_new_list()
    {
        await using var cluster = await TwoNodeCluster.StartAsync(new ClusterOptions { ThroughProxies = true, Paths = 2, Node = new TestNodeOptions { HeartbeatSeconds = 0.5 } });
        var (a, b) = (cluster.A, cluster.B);
        var sent = (await a.SendAsync(b, "navy", "Which path?")).Value!;
        await cluster.WaitAllDeliveredAsync();
        var message = await a.Api.GetAsync($"/api/messages/{sent.Id}");
        // Either of B's paths may carry the link at first (a dial to #0 may come before B has pinned A).
        Assert.Matches(@"^#[01] https://127\.0\.0\.1:\d+$", message.GetProperty("path").GetString());

        var shown = await HotlineCli.RunAsync("peer", "endpoints", "Node B", "--data", a.Folder.Path);
        Assert.Equal(0, shown.ExitCode);
        Assert.Equal([$"#0  {cluster.ProxiesToB[0].Url}", $"#1  {cluster.ProxiesToB[1].Url}"], shown.StdoutLines);

        // The satellite first: both of B's paths swapped on A's side.
        var swapped = await HotlineCli.RunAsync("peer", "endpoints", "Node B", cluster.ProxiesToB[1].Url, cluster.ProxiesToB[0].Url, "--data", a.Folder.Path);
        output.WriteLine(swapped.ToString());
        Assert.Equal(0, swapped.ExitCode);
        Assert.Equal([$"#0  {cluster.ProxiesToB[1].Url}", $"#1  {cluster.ProxiesToB[0].Url}"], swapped.StdoutLines);
        Assert.Equal([cluster.ProxiesToB[1].Url, cluster.ProxiesToB[0].Url], a.LinkTo(b)!.Peer.Endpoints);
        Assert.Equal([cluster.ProxiesToB[1].Url, cluster.ProxiesToB[0].Url], a.Store.ListPeers().Single().Endpoints);

        var bad = await HotlineCli.RunAsync("peer", "endpoints", "Node B", "http://127.0.0.1:1", "--data", a.Folder.Path);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("is not an absolute https:// address", bad.Stderr, StringComparison.Ordinal);

        // A's next dial takes the new list: cut every path, then let only B's new first endpoint through.
        foreach (var proxy in cluster.Proxies)
        {
            proxy.Cut();
        }
        await Poll.UntilAsync(() => !a.IsUpWith(b), "the link to go down", TimeSpan.FromSeconds(20));
        cluster.ProxiesToB[1].Restore();
        var path = cluster.ProxiesToB[1].Url;
        await Poll.UntilAsync(() => a.LinkTo(b) is { IsConnected: true, Path: { } p } && p.Index == 0 && p.Endpoint == path,
            "A on B's new first endpoint", TimeSpan.FromSeconds(20));
    }
}
