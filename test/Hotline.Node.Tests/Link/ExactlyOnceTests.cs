using System.Diagnostics;
using Hotline.Cli.Demo;
using Hotline.Core.Messages;
using Hotline.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Hotline.Node.Tests.Link;

/// <summary>Two real nodes on loopback (Kestrel, mutual TLS, SQLite files) exchanging traffic both ways.</summary>
public sealed class ExactlyOnceTests(ITestOutputHelper output)
{
    private const int PerDirection = 1000;

    [Fact]
    public async Task A_thousand_messages_each_way_arrive_exactly_once_and_in_order_per_channel()
    {
        var clock = Stopwatch.StartNew();
        await using var cluster = await TwoNodeCluster.StartAsync();
        output.WriteLine($"linked in {clock.Elapsed.TotalSeconds:0.0} s");
        var channels = Channels.Defaults;
        clock.Restart();

        // One sequential sender per (direction, channel): within a channel, submission order is known.
        var senders = new[] { (From: cluster.A, To: cluster.B, Label: "A"), (From: cluster.B, To: cluster.A, Label: "B") }
            .SelectMany(d => channels.Select(c => SendAllAsync(d.From, d.To, d.Label, c, channels)))
            .ToList();
        var sent = await Task.WhenAll(senders);
        output.WriteLine($"{2 * PerDirection} messages committed in {clock.Elapsed.TotalSeconds:0.0} s");

        await Poll.UntilAsync(() => cluster.B.Inbound(cluster.A).Count >= PerDirection && cluster.A.Inbound(cluster.B).Count >= PerDirection,
            "every message to arrive");
        await cluster.WaitAllDeliveredAsync();
        output.WriteLine($"{2 * PerDirection} messages delivered in {clock.Elapsed.TotalSeconds:0.0} s");

        foreach (var (receiver, sender, label) in new[] { (cluster.B, cluster.A, "A"), (cluster.A, cluster.B, "B") })
        {
            var expected = sent.Where(s => s.Label == label).ToDictionary(s => s.Channel, s => s.Numbers);
            // Listed through the operator API, as an operator would see them.
            var inbound = await NodePair.ListAsync(receiver.Api, "in", default);
            Assert.Equal(PerDirection, inbound.Count);
            Assert.Equal("", DeliveryCheck.Describe([.. inbound.Select(ReceivedRow.From)], label, expected));

            var outbound = await NodePair.ListAsync(sender.Api, "out", default);
            Assert.Equal(PerDirection, outbound.Count);
            Assert.All(outbound, m => Assert.Equal("delivered", m.GetProperty("state").GetString()));
            Assert.Equal(outbound.Select(m => m.GetProperty("id").GetGuid()).Order(), inbound.Select(m => m.GetProperty("id").GetGuid()).Order());
        }
        output.WriteLine($"verified at {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private static async Task<(string Label, string Channel, List<int> Numbers)> SendAllAsync(
        InProcessNode from, InProcessNode to, string label, string channel, IReadOnlyList<string> channels)
    {
        var numbers = new List<int>();
        for (var n = 1; n <= PerDirection; n++)
        {
            if (ResilientSender.ChannelOf(channels, n) != channel)
            {
                continue;
            }
            var result = await from.SendAsync(to, channel, TrafficText.Format(label, channel, n));
            Assert.True(result.Value is not null, result.Error);
            numbers.Add(n);
        }
        return (label, channel, numbers);
    }
}
