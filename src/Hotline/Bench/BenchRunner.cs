using System.Diagnostics;
using Hotline.Node.Hosting;
using Hotline.Node.Supervision;
using Hotline.Node.Transcript;

namespace Hotline.Cli.Bench;

/// <summary>
/// Runs the phases of <c>hotline bench</c> on two pairs of real nodes: a directly linked pair for
/// latency and throughput, and a pair linked through cuttable relays for the outage phases.
/// </summary>
internal sealed partial class BenchRunner(BenchSettings settings, BenchResults results, string root, TextWriter log)
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(180);

    // The bench client's own thread pool: it sends the frames and reads the event streams, so a
    // stall there counts in the latencies as a node's would.
    private readonly ThreadPoolWatch _pool = new();

    public async Task RunAsync(CancellationToken ct)
    {
        _pool.Start();
        results.SpeedAtStart = MachineSpeed.Measure(root);
        Phase($"machine speed: {results.SpeedAtStart}");
        var machineStart = ProcStats.MachineBusySeconds();
        var benchStart = ProcStats.CpuSeconds(Environment.ProcessId);
        double nodesCpu = 0;
        var wall = Stopwatch.StartNew();
        var wallClock0 = LatencySummary.WallMs();
        var stolen0 = ProcStats.StolenSeconds();
        try
        {
            await using (var direct = await StartPairAsync("direct", relayed: false, ct))
            {
                results.Memory.FreshA = ProcStats.Memory(direct.PidA).Rss;
                results.Memory.FreshB = ProcStats.Memory(direct.PidB).Rss;
                var cpu0 = direct.Cpu();
                await WarmupAsync(direct, ct);
                // Idle: a few seconds after the last message, long enough for a node to notice it
                // went quiet and give back what the warm-up's burst took (IdleTrim checks every 2 s).
                await Task.Delay(TimeSpan.FromSeconds(5), ct);
                results.Memory.IdleA = ProcStats.Memory(direct.PidA).Rss;
                results.Memory.IdleB = ProcStats.Memory(direct.PidB).Rss;
                Phase($"idle RSS A {Mb(results.Memory.IdleA)} MB, B {Mb(results.Memory.IdleB)} MB");
                await OneAtATimeAsync(direct, ct);
                await MaxRateAsync(direct, Submission.OneARequest, ct);
                await StepsAsync(direct, ct);
                await MaxRateAsync(direct, Submission.Batched, ct);
                await MaxRateAsync(direct, Submission.Streamed, ct);
                await StepAsync(direct, $"fixed {settings.FixedRate:0}", settings.FixedRate, streamed: true, ct);
                nodesCpu += (direct.Cpu() - cpu0).Nodes;
                await FinishPairAsync(direct, "direct pair", ct);
            }
            await using (var relayed = await StartPairAsync("relayed", relayed: true, ct))
            {
                var cpu0 = relayed.Cpu();
                await WarmupAsync(relayed, ct);
                await CatchUpAsync(relayed, restartReceiver: false, ct);
                await FlashAsync(relayed, ct);
                await CatchUpAsync(relayed, restartReceiver: true, ct);
                nodesCpu += (relayed.Cpu() - cpu0).Nodes;
                await FinishPairAsync(relayed, "relayed pair", ct);
            }
        }
        catch (BenchFailure e)
        {
            results.Correctness.Failures.Add(e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The run could not finish, so exactly-once was not shown: that fails the run too.
            results.Correctness.Failures.Add($"the run stopped: {e.GetType().Name}: {e.Message}");
            log.WriteLine(e);
        }
        finally
        {
            _pool.Dispose();
            var bench = ProcStats.CpuSeconds(Environment.ProcessId) - benchStart;
            results.SpeedAtEnd = MeasureAtEnd();
            results.WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 1);
            // Plus 0: never "-0".
            var clockAhead = Math.Round((LatencySummary.WallMs() - wallClock0) / 1000 - wall.Elapsed.TotalSeconds, 1) + 0.0;
            results.Noise = new BenchResults.NoiseResult(ProcStats.LoadAverage(),
                Math.Round(Math.Max(0, ProcStats.MachineBusySeconds() - machineStart - bench - nodesCpu), 1),
                Math.Round(bench, 1), Math.Round(nodesCpu, 1), Math.Round(ProcStats.StolenSeconds() - stolen0, 1), clockAhead);
            if (Math.Abs(clockAhead) >= 1)
            {
                Phase($"note: the wall clock moved {clockAhead} s more than the run's monotonic clock: the virtual machine was paused " +
                    "(a snapshot) or its clock was set; time the machine stood still is in neither the figures nor the work");
            }
        }
    }

    private async Task<BenchPair> StartPairAsync(string name, bool relayed, CancellationToken ct)
    {
        var pair = await BenchPair.StartAsync(Path.Combine(root, name), relayed, ct);
        try
        {
            Phase($"{name} pair up: A pid {pair.PidA}, B pid {pair.PidB}; process start to both APIs answering {pair.ApiUpSeconds:0.000} s, to link up {pair.LinkUpSeconds:0.000} s");
            results.Startup = relayed
                ? results.Startup! with { LinkUpSecondsViaRelay = Math.Round(pair.LinkUpSeconds, 3) }
                : new BenchResults.StartupResult(Math.Round(pair.LinkUpSeconds, 3), Math.Round(pair.ApiUpSeconds, 3), double.NaN);
            return pair;
        }
        catch
        {
            // Not yet the caller's to dispose: stop its two nodes here, or they would outlive the run.
            await pair.DisposeAsync();
            throw;
        }
    }

    /// <summary>Both nodes JIT-warm and the connections open before anything is measured.</summary>
    private async Task WarmupAsync(BenchPair pair, CancellationToken ct)
    {
        var flood = await Task.WhenAll(
            pair.A.FloodAsync(8, settings.Warmup, null, "warm A", "ROUTINE", ct),
            pair.B.FloodAsync(8, settings.Warmup, null, "warm B", "ROUTINE", ct));
        pair.Record(flood[0], fromA: true);
        pair.Record(flood[1], fromA: false);
        var single = new List<Sent>();
        for (var i = 0; i < 100; i++)
        {
            var s = await pair.A.SendAsync(MessageSender.Text("warm 1", i), "ROUTINE", ct);
            single.Add(s);
            await pair.EventsB.WaitReceivedAsync(s.Id, ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        }
        pair.Record(single, fromA: true);
        await pair.WaitAllAsync([.. flood[0], .. single], flood[1], DrainTimeout, ct);
        Phase($"warm-up done: {flood[0].Count + flood[1].Count + single.Count} messages");
    }

    private async Task FinishPairAsync(BenchPair pair, string label, CancellationToken ct)
    {
        // Live check first: every message arrived once on the event stream and was reported delivered.
        foreach (var (sent, sender, receiver) in new[] { (pair.AToB, pair.EventsA, pair.EventsB), (pair.BToA, pair.EventsB, pair.EventsA) })
        {
            var c = results.Correctness;
            c.Sent += sent.Count;
            var missing = sent.Count(s => !receiver.TryGetReceived(s.Id, out _));
            var unacked = sent.Count(s => !sender.TryGetDelivered(s.Id, out _));
            c.Missing += missing;
            c.NotAcknowledged += unacked;
            c.ReceivedOnce += sent.Count - missing;
            if (missing > 0 || unacked > 0)
            {
                c.Failures.Add($"{label}, {sender.Name} to {receiver.Name}: {missing} of {sent.Count} never arrived on the event stream, {unacked} never reported delivered");
            }
        }
        var duplicates = pair.EventsA.Duplicates.Count + pair.EventsB.Duplicates.Count;
        results.Correctness.Duplicated += duplicates;
        if (duplicates > 0)
        {
            results.Correctness.Failures.Add($"{label}: {duplicates} messages arrived more than once on the receiver's event stream");
        }
        var (_, peakA) = ProcStats.Memory(pair.PidA);
        var peakB = Math.Max(ProcStats.Memory(pair.PidB).Peak, pair.PeakOfEarlierB);
        results.Memory.PeakA = Math.Max(results.Memory.PeakA, peakA);
        results.Memory.PeakB = Math.Max(results.Memory.PeakB, peakB);
        Phase($"{label}: peak RSS A {Mb(peakA)} MB, B {Mb(peakB)} MB; stopping it to check both stores");
        await pair.Pair.A.StopAsync();
        await pair.Pair.B.StopAsync();
        results.Correctness.StoreChecked += StoreCheck.Run(pair.Pair.A.Folder.DatabaseFile, pair.Pair.B.Folder.DatabaseFile,
            pair.AToB, pair.BToA, results.Correctness.Failures, label);
        var started = Stopwatch.GetTimestamp();
        // The nodes are stopped: one record on each core.
        var problems = await Task.WhenAll(
            Task.Run(() => VerifyRecord(pair.Pair.A.Folder, $"{label} A"), ct),
            Task.Run(() => VerifyRecord(pair.Pair.B.Folder, $"{label} B"), ct));
        results.Correctness.Failures.AddRange(problems.SelectMany(p => p));
        Phase($"{label}: both records checked as 'hotline verify' does in {Seconds(started, Stopwatch.GetTimestamp()):0.0} s");
    }

    /// <summary>What <c>hotline verify</c> checks: every signature (plain and batch), chain link, receipt and checkpoint.</summary>
    private static List<string> VerifyRecord(DataFolder folder, string label)
    {
        using var identity = folder.LoadIdentity();
        var report = RecordEvidence.Verify(folder.DatabaseFile, identity.PublicKey, folder.LoadConfig().Name);
        return [.. report.Problems.Take(5).Select(p => $"{label}: the record does not verify: {p.Table} {p.Where}: {p.What}")];
    }

    /// <summary>Never hides why the run stopped: a machine that cannot be measured now leaves the figure out.</summary>
    private MachineSpeed? MeasureAtEnd()
    {
        try
        {
            return MachineSpeed.Measure(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.WriteLine($"bench: the machine's speed at the end was not measured: {e.Message}");
            return null;
        }
    }

    private void Phase(string text) => log.WriteLine($"bench: {text}");

    internal static double Mb(long bytes) => Math.Round(bytes / 1048576.0, 1);

    private static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;
}
