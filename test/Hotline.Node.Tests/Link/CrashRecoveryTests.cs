using System.Diagnostics;
using Hotline.Cli.Demo;
using Hotline.Core.Messages;
using Hotline.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Hotline.Node.Tests.Link;

/// <summary>
/// Two nodes as child processes; while numbered traffic flows both ways through the operator API,
/// one of them is killed with SIGKILL mid-stream and restarted, six times, alternating sides.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private const int Rounds = 6;
    private const int PerRound = 80;
    private readonly TempFolder _temp = new("crash");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Killing_either_node_mid_stream_loses_duplicates_and_reorders_nothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = cts.Token;
        var clock = Stopwatch.StartNew();
        await using var pair = await NodePair.CreateAsync(_temp.Path, "Node A", "Node B", ct);
        foreach (var node in new[] { pair.A, pair.B })
        {
            var config = node.Folder.LoadConfig();
            node.Folder.SaveConfig(config with { Link = config.Link with { HeartbeatSeconds = 1 } });
        }
        await pair.StartAsync(ct);
        await using var a = new KillableNode(pair.A);
        await using var b = new KillableNode(pair.B);
        a.Started();
        b.Started();
        output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.0} s  both nodes up and linked");

        var channels = Channels.Defaults;
        var total = (Rounds + 1) * PerRound;
        var fromA = new ResilientSender(a, "A", pair.CardB.Name, channels);
        var fromB = new ResilientSender(b, "B", pair.CardA.Name, channels);
        var sending = new[] { Task.Run(() => fromA.RunAsync(total, ct), ct), Task.Run(() => fromB.RunAsync(total, ct), ct) };

        try
        {
            for (var round = 1; round <= Rounds; round++)
            {
                var (victim, victimSender, survivorSender) = round % 2 == 1 ? (b, fromB, fromA) : (a, fromA, fromB);
                var start = (round - 1) * PerRound;
                fromA.Allow(round * PerRound);
                fromB.Allow(round * PerRound);
                // Mid-stream: both sides are part-way through this round's messages.
                await Poll.UntilAsync(() => Failed(sending) || (victimSender.Sent >= start + PerRound / 3 && survivorSender.Sent >= start + PerRound / 4),
                    $"round {round} traffic", TimeSpan.FromSeconds(60), ct);
                ThrowIfFailed(sending);
                var victimName = victim == a ? "A" : "B";
                await victim.KillAsync();
                output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.0} s  round {round}: killed {victimName} (A sent {fromA.Sent}, B sent {fromB.Sent})");
                // The survivor keeps committing while its peer is dead; the backlog must catch up later.
                await Poll.UntilAsync(() => Failed(sending) || survivorSender.Sent >= start + PerRound * 2 / 3,
                    $"round {round} traffic while {victimName} is down", TimeSpan.FromSeconds(60), ct);
                ThrowIfFailed(sending);
                await victim.RestartAsync(ct);
                output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.0} s  round {round}: restarted {victimName}");
            }
            fromA.Allow(total);
            fromB.Allow(total);
            await Task.WhenAll(sending).WaitAsync(ct);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.0} s  all {2 * total} messages committed; "
                + $"after kills: A found {fromA.FoundAfterKill} / resent {fromA.ResentAfterKill}, B found {fromB.FoundAfterKill} / resent {fromB.ResentAfterKill}");

            var (apiA, _) = await a.WaitUpAsync(ct);
            var (apiB, _) = await b.WaitUpAsync(ct);
            await Poll.UntilAsync(async () => await NodePair.UndeliveredAsync(apiA, ct) == 0 && await NodePair.UndeliveredAsync(apiB, ct) == 0
                && (await NodePair.ListAsync(apiA, "in", ct)).Count >= total && (await NodePair.ListAsync(apiB, "in", ct)).Count >= total,
                "every message to be delivered and receipted", TimeSpan.FromSeconds(60), ct);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.0} s  all delivered");

            Assert.Equal(Rounds / 2, a.Kills);
            Assert.Equal(Rounds / 2, b.Kills);
            foreach (var (receiver, senderApi, sender) in new[] { (apiB, apiA, fromA), (apiA, apiB, fromB) })
            {
                var inbound = await NodePair.ListAsync(receiver, "in", ct);
                Assert.Equal("", DeliveryCheck.Describe([.. inbound.Select(ReceivedRow.From)], sender.Label, sender.Expected));
                Assert.Equal(total, inbound.Count);

                var outbound = await NodePair.ListAsync(senderApi, "out", ct);
                Assert.Equal(total, outbound.Select(m => m.GetProperty("text").GetString()).Distinct().Count());
                Assert.Equal(total, outbound.Count);
                Assert.All(outbound, m => Assert.Equal("delivered", m.GetProperty("state").GetString()));
            }
        }
        catch
        {
            foreach (var (name, node) in new[] { ("A", pair.A), ("B", pair.B) })
            {
                output.WriteLine($"--- link events and errors of node {name}");
                foreach (var line in node.Output.Where(l => l.Contains("Link to", StringComparison.Ordinal) || l.Contains("fail", StringComparison.OrdinalIgnoreCase)
                    || l.Contains("SECURITY", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal)).TakeLast(60))
                {
                    output.WriteLine(line);
                }
            }
            throw;
        }
        finally
        {
            await cts.CancelAsync();
            await Task.WhenAll(sending.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    private static bool Failed(Task[] tasks) => tasks.Any(t => t.IsFaulted);

    private static void ThrowIfFailed(Task[] tasks)
    {
        foreach (var t in tasks.Where(t => t.IsFaulted))
        {
            t.GetAwaiter().GetResult();
        }
    }
}
