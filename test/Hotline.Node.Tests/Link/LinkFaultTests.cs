using Hotline.Core.Messages;
using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Hotline.Node.Tests.Link;

/// <summary>
/// The link between two real nodes crosses a fault proxy in each direction; the test resets or
/// blackholes it while traffic flows, then restores it and expects the backlog to catch up by itself.
/// </summary>
public sealed class LinkFaultTests(ITestOutputHelper output)
{
    // Short heartbeats keep the blackhole test quick: a silent session is dead after 3 intervals.
    private static readonly ClusterOptions Options = new()
    {
        ThroughProxies = true,
        Node = new TestNodeOptions { HeartbeatSeconds = 0.5 },
    };

    [Fact]
    public async Task Traffic_resumes_by_itself_after_the_connection_is_reset()
    {
        await using var cluster = await TwoNodeCluster.StartAsync(Options);
        await using var traffic = new Traffic(cluster);

        await traffic.UntilEachSideSentAsync(100);
        foreach (var proxy in cluster.Proxies)
        {
            proxy.Cut();
        }
        // Both sides see the reset at once; neither can reconnect while the proxies refuse.
        await Poll.UntilAsync(() => !cluster.A.IsUpWith(cluster.B) && !cluster.B.IsUpWith(cluster.A), "both sides to see the link down",
            TimeSpan.FromSeconds(10));
        var sentWhileCut = traffic.Sent;
        await traffic.UntilEachSideSentAsync(sentWhileCut.A + 100, sentWhileCut.B + 100);
        Assert.False(cluster.A.IsUpWith(cluster.B) || cluster.B.IsUpWith(cluster.A), "the link came up through a cut proxy");
        Assert.True(cluster.A.Store.Counts(cluster.B.Id).Undelivered > 0, "messages sent during the cut were delivered anyway");

        foreach (var proxy in cluster.Proxies)
        {
            proxy.Restore();
        }
        await cluster.WaitForLinkAsync();
        await traffic.UntilEachSideSentAsync(traffic.Sent.A + 100, traffic.Sent.B + 100);
        await traffic.StopAndVerifyAsync(output);
    }

    [Fact]
    public async Task A_blackholed_session_is_detected_by_silence_and_traffic_catches_up_after_restore()
    {
        await using var cluster = await TwoNodeCluster.StartAsync(Options);
        await using var traffic = new Traffic(cluster);

        await traffic.UntilEachSideSentAsync(100);
        using var eventsA = cluster.A.Events.Subscribe();
        using var eventsB = cluster.B.Events.Subscribe();
        foreach (var proxy in cluster.Proxies)
        {
            proxy.Blackhole();
        }
        // Nothing resets the connection: only the missing heartbeats can tell the session is dead.
        await Poll.UntilAsync(() => !cluster.A.IsUpWith(cluster.B) && !cluster.B.IsUpWith(cluster.A), "both sides to declare the silent link down",
            TimeSpan.FromSeconds(15));
        foreach (var (name, events) in new[] { ("A", eventsA), ("B", eventsB) })
        {
            // The event follows the state change by a moment.
            var seen = new List<NodeEvent>();
            await Poll.UntilAsync(() => { seen.AddRange(Drain(events)); return seen.Any(e => e.Type == EventTypes.LinkDown); },
                $"{name}'s link.down event", TimeSpan.FromSeconds(5));
            var down = seen.First(e => e.Type == EventTypes.LinkDown);
            output.WriteLine($"{name} saw the link down: {down.Detail}");
            Assert.StartsWith("no frame from peer for", down.Detail, StringComparison.Ordinal);
        }
        var sentWhileDark = traffic.Sent;
        await traffic.UntilEachSideSentAsync(sentWhileDark.A + 100, sentWhileDark.B + 100);
        Assert.True(cluster.A.Store.Counts(cluster.B.Id).Undelivered > 0, "messages sent during the blackhole were delivered anyway");
        Assert.True(cluster.Proxies.Sum(p => p.BytesDropped) > 0, "the proxies dropped nothing: the blackhole was not exercised");

        foreach (var proxy in cluster.Proxies)
        {
            proxy.Restore();
        }
        await cluster.WaitForLinkAsync();
        await traffic.UntilEachSideSentAsync(traffic.Sent.A + 100, traffic.Sent.B + 100);
        await traffic.StopAndVerifyAsync(output);
    }

    private static List<NodeEvent> Drain(EventHub.Subscription subscription)
    {
        var list = new List<NodeEvent>();
        while (subscription.Reader.TryRead(out var e))
        {
            list.Add(e);
        }
        return list;
    }

    [Fact]
    public async Task Repeated_resets_while_traffic_flows_lose_and_duplicate_nothing()
    {
        await using var cluster = await TwoNodeCluster.StartAsync(Options);
        await using var traffic = new Traffic(cluster);

        for (var round = 1; round <= 5; round++)
        {
            var before = traffic.Sent;
            await traffic.UntilEachSideSentAsync(before.A + 60, before.B + 60);
            // Reset mid-stream but let the dialler straight back in.
            foreach (var proxy in cluster.Proxies)
            {
                proxy.Cut();
                proxy.Restore();
            }
            await cluster.WaitForLinkAsync();
        }
        await traffic.StopAndVerifyAsync(output);
        Assert.True(cluster.Proxies.Sum(p => p.Accepted) >= 6, "the link never reconnected through the proxies");
    }

    /// <summary>Continuous numbered traffic both ways on every channel, one message at a time per side.</summary>
    private sealed class Traffic : IAsyncDisposable
    {
        private readonly TwoNodeCluster _cluster;
        private readonly CancellationTokenSource _stop = new();
        private readonly Dictionary<string, List<int>> _fromA = Channels.Defaults.ToDictionary(c => c, _ => new List<int>());
        private readonly Dictionary<string, List<int>> _fromB = Channels.Defaults.ToDictionary(c => c, _ => new List<int>());
        private readonly Task _a;
        private readonly Task _b;
        private int _sentA;
        private int _sentB;

        public Traffic(TwoNodeCluster cluster)
        {
            _cluster = cluster;
            _a = Task.Run(() => RunAsync(cluster.A, cluster.B, "A", _fromA, () => Interlocked.Increment(ref _sentA)));
            _b = Task.Run(() => RunAsync(cluster.B, cluster.A, "B", _fromB, () => Interlocked.Increment(ref _sentB)));
        }

        public (int A, int B) Sent => (Volatile.Read(ref _sentA), Volatile.Read(ref _sentB));

        public Task UntilEachSideSentAsync(int a, int? b = null) =>
            Poll.UntilAsync(() =>
            {
                ThrowIfFailed();
                return Sent.A >= a && Sent.B >= (b ?? a);
            }, $"A to send {a} and B {b ?? a} messages", TimeSpan.FromSeconds(60));

        private void ThrowIfFailed()
        {
            foreach (var t in new[] { _a, _b }.Where(t => t.IsFaulted))
            {
                t.GetAwaiter().GetResult();
            }
        }

        private async Task RunAsync(InProcessNode from, InProcessNode to, string label, Dictionary<string, List<int>> sent, Action count)
        {
            var channels = Channels.Defaults;
            for (var n = 1; !_stop.IsCancellationRequested; n++)
            {
                var channel = ResilientSender.ChannelOf(channels, n);
                var result = await from.SendAsync(to, channel, TrafficText.Format(label, channel, n));
                if (result.Value is null)
                {
                    throw new InvalidOperationException($"send refused: {result.Error}");
                }
                sent[channel].Add(n);
                count();
                // Let the other side's sender and the link run between sends.
                await Task.Yield();
            }
        }

        public async Task StopAndVerifyAsync(ITestOutputHelper output)
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_a, _b);
            var (a, b) = Sent;
            await Poll.UntilAsync(() => _cluster.B.Inbound(_cluster.A).Count >= a && _cluster.A.Inbound(_cluster.B).Count >= b,
                "the backlog to catch up");
            await _cluster.WaitAllDeliveredAsync();
            output.WriteLine($"A sent {a}, B sent {b}");
            Assert.Equal("", DeliveryCheck.Describe([.. _cluster.B.Inbound(_cluster.A).Select(ReceivedRow.From)], "A", _fromA));
            Assert.Equal("", DeliveryCheck.Describe([.. _cluster.A.Inbound(_cluster.B).Select(ReceivedRow.From)], "B", _fromB));
            Assert.Equal(a, _cluster.A.Outbound(_cluster.B).Count(m => m.DeliveredAt is not null));
            Assert.Equal(b, _cluster.B.Outbound(_cluster.A).Count(m => m.DeliveredAt is not null));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await Task.WhenAll(_a, _b);
            }
            catch
            {
                // Already reported by the test, or the test failed before verifying.
            }
            _stop.Dispose();
        }
    }
}
