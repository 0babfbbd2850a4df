using System.Diagnostics;
using Hotline.Cli;
using Hotline.Cli.Demo;
using Hotline.Node.Hosting;
using Hotline.Storage.Sqlite;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Hosting;

/// <summary>A graceful stop is quick and clean even while a peer holds a session open to the node.</summary>
public sealed class ShutdownTests : IDisposable
{
    // Well under the host's 30 s shutdown timeout, which is what a stop waiting on a session would take.
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);
    private readonly TempFolder _temp = new("stop");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Disposing_the_node_its_peer_dialled_is_prompt_and_closes_its_files()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var result = await cluster.A.SendAsync(cluster.B, "navy", "before stop");
        Assert.NotNull(result.Value);
        await cluster.WaitAllDeliveredAsync();
        // The node that accepted the session: its listener holds an open request the peer never ends.
        var (acceptor, peer) = cluster.A.LinkTo(cluster.B)!.Endpoint!.StartsWith("inbound", StringComparison.Ordinal)
            ? (cluster.A, cluster.B) : (cluster.B, cluster.A);

        var clock = Stopwatch.StartNew();
        await acceptor.DisposeAsync();

        Assert.True(clock.Elapsed < Prompt, $"stopping took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.False(File.Exists(acceptor.Folder.RuntimeFile), "the runtime file was left behind");
        await Poll.UntilAsync(() => !peer.IsUpWith(acceptor), "the peer to see the link down", TimeSpan.FromSeconds(10));
        // The store was closed cleanly and holds what was committed.
        using var identity = acceptor.Folder.LoadIdentity();
        await using var store = SqliteStore.Open(acceptor.Folder.DatabaseFile, identity);
        Assert.Single(store.ListMessages(new Storage.MessageQuery()));
    }

    [Fact]
    public async Task Serve_stops_on_SIGTERM_promptly_and_starts_again_with_its_data()
    {
        await using var pair = await NodePair.CreateAsync(_temp.Path, "Node A", "Node B");
        await pair.StartAsync();
        using (var api = ApiClient.For(pair.A.Folder))
        {
            await api.PostAsync("/api/messages", new { peer = pair.CardB.Name, channel = "air", text = "before stop" });
        }
        var acceptor = await DialledSideAsync(pair);

        var clock = Stopwatch.StartNew();
        await acceptor.StopAsync();

        // StopAsync falls back to SIGKILL after 10 s, which would leave the runtime file behind.
        Assert.True(clock.Elapsed < Prompt, $"stopping took {clock.Elapsed.TotalSeconds:0.0} s\n{string.Join('\n', acceptor.Output.TakeLast(20))}");
        Assert.False(File.Exists(acceptor.Folder.RuntimeFile), $"the runtime file was left behind\n{string.Join('\n', acceptor.Output.TakeLast(20))}");

        await acceptor.StartAsync();
        await pair.WaitForLinkAsync();
        using var b = ApiClient.For(pair.B.Folder);
        await Poll.UntilAsync(async () => (await NodePair.ListAsync(b, "in", default)).Count == 1, "B to hold the message once");
    }

    [Fact]
    public async Task Serve_ends_its_event_streams_on_SIGTERM_and_closes_its_store_cleanly()
    {
        await using var pair = await NodePair.CreateAsync(_temp.Path, "Node A", "Node B");
        await pair.StartAsync();
        using var api = ApiClient.For(pair.A.Folder, Timeout.InfiniteTimeSpan);
        await api.PostAsync("/api/messages", new { peer = pair.CardB.Name, channel = "air", text = "before stop" });
        // An operator's tool following the node's events: a request that never ends by itself.
        using var events = new StreamReader(await api.OpenEventsAsync(default));
        Assert.Equal("event: hello", await events.ReadLineAsync());

        await pair.A.StopAsync();

        // The stream was ended by the node (not cut when the process died), and the node got as far
        // as closing its store and removing its runtime file: a stop the command's own 2 s limit
        // on SIGTERM did not cut short.
        var rest = await events.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("event: hello", rest, StringComparison.Ordinal);
        Assert.False(File.Exists(pair.A.Folder.RuntimeFile), $"the runtime file was left behind\n{string.Join('\n', pair.A.Output.TakeLast(20))}");
        Assert.False(File.Exists(pair.A.Folder.DatabaseFile + "-wal"), "the store's write-ahead log was left: the store was not closed");
    }

    /// <summary>The node whose link session was dialled by its peer.</summary>
    private static async Task<NodeProcess> DialledSideAsync(NodePair pair)
    {
        using var api = ApiClient.For(pair.A.Folder);
        var peers = await api.GetAsync("/api/peers");
        var endpoint = peers.EnumerateArray().Single().GetProperty("endpoint").GetString()!;
        return endpoint.StartsWith("inbound", StringComparison.Ordinal) ? pair.A : pair.B;
    }
}
