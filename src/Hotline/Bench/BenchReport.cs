using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hotline.Cli.Bench;

/// <summary>Judges the figures against the issue's targets and prints them (markdown) and writes them (JSON).</summary>
internal static class BenchReport
{
    /// <summary>What a step's line adds when the link dropped and came back during it; nothing otherwise.</summary>
    internal static string LinkUpsNote(long ups) => ups > 0 ? $"; the link came up again {ups} time(s) during it (a session dropped)" : "";

    /// <summary>What a step's or the FLASH phase's line adds when a store writer had slow transactions; nothing otherwise.</summary>
    internal static string SlowNote(BenchResults.SlowWrites slow) => slow.Count.A + slow.Count.B > 0
        ? $"; slow store transactions ({Hotline.Storage.WriterStats.SlowTransaction.TotalMilliseconds:0} ms or more): A {slow.Count.A:0} ({slow.Seconds.A:0.000} s), B {slow.Count.B:0} ({slow.Seconds.B:0.000} s)"
        : "";

    /// <summary>What a step's or the FLASH phase's line adds when a thread pool was slow to start work; nothing otherwise.</summary>
    internal static string PoolNote(BenchResults.PoolStalls slow) => slow.BenchCount + slow.Count.A + slow.Count.B > 0
        ? $"; thread pools slow to start work ({Hotline.Node.Supervision.ThreadPoolWatch.SlowStart.TotalMilliseconds:0} ms or more): bench {slow.BenchCount:0} ({slow.BenchSeconds:0.000} s), " +
          $"A {slow.Count.A:0} ({slow.Seconds.A:0.000} s), B {slow.Count.B:0} ({slow.Seconds.B:0.000} s), pool threads added A {slow.ThreadsAdded.A:0} / B {slow.ThreadsAdded.B:0}"
        : "";

    /// <summary>
    /// What a constant-rate step cost and met besides its latencies (collector pauses, allocations,
    /// the writers' load, the host's steal) and the notes on what went wrong during it: the step's
    /// line and its table row both end with it.
    /// </summary>
    internal static string StepLoad(BenchResults.StepResult s) =>
        $"GC pauses: bench {s.BenchGcPauseMs:0} ms, nodes {s.NodeGcPauseMs} ms; nodes allocated {s.NodeAllocatedKbPerMessage} KB a message; " +
        $"store writers busy {s.WriterBusyPercent} % (CPU {s.WriterCpuPercent} %); CPU stolen by the host {s.StolenMs:0} ms" +
        $"{StreamFullNote(s)}{SlowNote(s.WriterSlow)}{PoolNote(s.PoolSlow)}{TcpNote(s.Tcp)}{LinkUpsNote(s.LinkUps)}";

    /// <summary>What a streamed step's line adds: how long the nodes' message streams stopped reading, their windows full.</summary>
    private static string StreamFullNote(BenchResults.StepResult step) => step.Streamed
        ? $"; message streams full {step.StreamFullMs} ms"
        : "";

    /// <summary>What a step's line adds when a TCP connection on the machine waited for a timer; nothing otherwise.</summary>
    internal static string TcpNote(TcpCounters tcp) => tcp.Timeouts + tcp.ZeroWindowProbes > 0
        ? $"; TCP on the machine: {tcp.Timeouts} retransmission timeout(s), {tcp.ZeroWindowProbes} zero-window probe(s), {tcp.Retransmitted} segment(s) retransmitted"
        : "";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Judge(BenchResults r)
    {
        if (r.OneAtATime is { } one)
        {
            r.Targets.Add(new("one at a time, API call on A to arrival on B: p50", "≤ 1 ms", Ms(one.Received.P50Ms), one.Received.P50Ms <= 1));
            r.Targets.Add(new("one at a time, API call on A to arrival on B: p99", "≤ 3 ms", Ms(one.Received.P99Ms), one.Received.P99Ms <= 3));
        }
        if (r.OneAtATimeStreamed is { } streamedOne)
        {
            r.Targets.Add(new("the same, written to a WebSocket (GET /api/messages/stream): p50 / p99", "≤ 1 / 3 ms",
                $"{Ms(streamedOne.Received.P50Ms)} / {Ms(streamedOne.Received.P99Ms)}", streamedOne.Received.P50Ms <= 1 && streamedOne.Received.P99Ms <= 3));
        }
        if (r.MaxRate is { } max)
        {
            r.Targets.Add(new("sustained rate between the nodes (both directions)", "≥ 15,000 msg/s", Rate(max.DeliveredPerSecond), max.DeliveredPerSecond >= 15_000));
        }
        if (r.MaxRateBatched is { } batched)
        {
            r.Targets.Add(new($"the same, sent {batched.MessagesPerRequest} a request (POST /api/messages/batch)", "≥ 15,000 msg/s",
                Rate(batched.DeliveredPerSecond), batched.DeliveredPerSecond >= 15_000));
        }
        if (r.MaxRateStreamed is { } streamed)
        {
            r.Targets.Add(new($"the same, streamed one a frame (GET /api/messages/stream)", "≥ 15,000 msg/s",
                Rate(streamed.DeliveredPerSecond), streamed.DeliveredPerSecond >= 15_000));
        }
        foreach (var fixedStep in r.Steps.Where(s => s.Label.StartsWith("fixed", StringComparison.Ordinal)))
        {
            r.Targets.Add(new($"p99 at an offered {Rate(fixedStep.OfferedPerSecond)} msg/s{(fixedStep.Streamed ? ", streamed" : ", one a request")}", "≤ 20 ms",
                $"{Ms(fixedStep.Received.P99Ms)} (sent {Rate(fixedStep.AchievedPerSecond)}/s)",
                fixedStep.Received.P99Ms <= 20 && fixedStep.AchievedPerSecond >= 0.95 * fixedStep.OfferedPerSecond));
        }
        if (r.Flash is { } flash)
        {
            r.Targets.Add(new($"FLASH behind {Rate(flash.Backlog)} ROUTINE: p99", "≤ 10 ms", Ms(flash.Received.P99Ms), flash.Received.P99Ms <= 10));
        }
        if (r.CatchUp is { } catchUp)
        {
            r.Targets.Add(new($"catch-up of {Rate(catchUp.Backlog)} queued in an outage", "≥ 20,000 msg/s", Rate(catchUp.ArrivalsPerSecond), catchUp.ArrivalsPerSecond >= 20_000));
        }
        var m = r.Memory;
        if (m.IdleA > 0)
        {
            r.Targets.Add(new("RSS idle, A / B", "≤ 80 MB each", $"{Mb(m.IdleA)} / {Mb(m.IdleB)} MB", Math.Max(m.IdleA, m.IdleB) <= 80L << 20));
        }
        if (m.PeakA > 0)
        {
            r.Targets.Add(new("RSS peak, A / B", "≤ 250 MB each", $"{Mb(m.PeakA)} / {Mb(m.PeakB)} MB", Math.Max(m.PeakA, m.PeakB) <= 250L << 20));
        }
        if (r.Startup is { } s)
        {
            r.Targets.Add(new("process start to link up", "≤ 1 s", $"{s.LinkUpSeconds:0.000} s", s.LinkUpSeconds <= 1));
        }
        var c = r.Correctness;
        r.Targets.Add(new("every message delivered exactly once", "all", $"{c.ReceivedOnce:N0} of {c.Sent:N0} once, {c.Duplicated} duplicated, {c.Missing} missing", c.Passed));
    }

    public static string Markdown(BenchResults r)
    {
        var b = new StringBuilder();
        b.AppendLine(CultureInfo.InvariantCulture, $"## hotline bench ({r.Settings.Mode}): {r.StartedUtc:yyyy-MM-dd HH:mm} UTC, {r.WallSeconds} s");
        b.AppendLine();
        b.AppendLine(CultureInfo.InvariantCulture, $"Machine: {r.Machine}. Load average at start {string.Join(" ", r.Machine.LoadAverageAtStart)}, at end {string.Join(" ", r.Noise?.LoadAverageAtEnd ?? [])}.");
        if (r.Noise is { } n)
        {
            b.AppendLine(CultureInfo.InvariantCulture, $"CPU seconds during the run: nodes {n.NodesCpuSeconds}, bench client (senders, event streams, relays) {n.BenchCpuSeconds}, other processes on the machine {n.OtherProcessesCpuSeconds} (of which the host's steal {n.StolenSeconds}); the wall clock moved {n.WallClockAheadSeconds} s more than the monotonic clock.");
        }
        if (r.SpeedAtStart is { } atStart)
        {
            b.AppendLine(CultureInfo.InvariantCulture, $"Machine speed at the start: {atStart}; at the end: {r.SpeedAtEnd?.ToString() ?? "not measured"}.");
        }
        b.AppendLine();
        b.AppendLine("| figure | target | measured | met |");
        b.AppendLine("|---|---|---|---|");
        foreach (var t in r.Targets)
        {
            b.AppendLine(CultureInfo.InvariantCulture, $"| {t.Figure} | {t.Target} | {t.Measured} | {(t.Met ? "yes" : "**no**")} |");
        }
        b.AppendLine();
        b.AppendLine("| measurement | messages | rate msg/s | latency p50 / p99 / p99.9 ms | other |");
        b.AppendLine("|---|---|---|---|---|");
        foreach (var (how, one) in new[] { ("posted", r.OneAtATime), ("streamed", r.OneAtATimeStreamed) })
        {
            if (one is not null)
            {
                Row(b, $"one at a time, {how}: A API call → arrival on B", one.Received.Count, "-", one.Received.Triple(), $"max {one.Received.MaxMs:0.00} ms; API {one.Accepted.Triple()}");
                Row(b, $"one at a time, {how}: A API call → A knows delivered", one.Delivered.Count, "-", one.Delivered.Triple(), $"max {one.Delivered.MaxMs:0.00} ms");
            }
        }
        foreach (var max in new[] { r.MaxRate, r.MaxRateBatched, r.MaxRateStreamed }.OfType<BenchResults.MaxRateResult>())
        {
            Row(b, $"max rate, {max.Describe()}, {max.SendSeconds:0.#} s", max.Messages,
                $"{Rate(max.DeliveredPerSecond)} delivered ({Rate(max.AcceptedPerSecond)} accepted)", max.Received.Triple(),
                $"CPU per 1,000 msgs: nodes {max.NodeCpuSecondsPer1000:0.000} s, bench {max.BenchCpuSecondsPer1000:0.000} s; backlog at stop {max.BacklogWhenSendingStopped:N0}");
        }
        foreach (var s in r.Steps)
        {
            Row(b, $"constant rate, {s.Label}{(s.Streamed ? ", streamed" : "")}: offered {Rate(s.OfferedPerSecond)}", s.Messages, $"{Rate(s.AchievedPerSecond)} sent",
                s.Received.Triple(), $"committed {s.Committed.Triple()}; delivered {s.Delivered.Triple()}; API {s.Accepted.Triple()}; CPU per 1,000: nodes {s.NodeCpuSecondsPer1000:0.000} s, bench {s.BenchCpuSecondsPer1000:0.000} s; {StepLoad(s)}");
        }
        if (r.Flash is { } f)
        {
            Row(b, $"FLASH, one every {r.Settings.FlashInterval.TotalMilliseconds:0} ms, behind {Rate(f.Backlog)} ROUTINE", f.Probes, "-", f.Received.Triple(),
                $"backlog still queued at first / last probe {f.BacklogLeftAtFirstProbe:N0} / {f.BacklogLeftAtLastProbe:N0}; committed on B {f.CommittedOnB.Triple()}; delivered {f.Delivered.Triple()}; API {f.Accepted.Triple()}; while the probes ran: GC pauses bench {f.BenchGcPauseMs:0} ms, nodes {f.NodeGcPauseMs} ms; store writers busy {f.WriterBusyPercent} % (CPU {f.WriterCpuPercent} %){SlowNote(f.WriterSlow)}{PoolNote(f.PoolSlow)}");
        }
        foreach (var (c, what) in new[] { (r.CatchUp, "catch-up after an outage"), (r.CatchUpAfterRestart, "the same, B killed and started again during it") })
        {
            if (c is not null)
            {
                Row(b, what, c.Backlog, $"{Rate(c.ArrivalsPerSecond)} arriving ({Rate(c.DeliveredPerSecond)} known delivered)", "-",
                    $"queued at {Rate(c.QueuedPerSecond)}/s; link back {c.ReconnectSeconds} s after the path; drain {c.DrainSeconds} s; CPU s A {c.Cpu.NodeA} B {c.Cpu.NodeB}");
            }
        }
        var m = r.Memory;
        Row(b, "RSS A / B: fresh, idle, peak", 0, "-", "-", $"{Mb(m.FreshA)} / {Mb(m.FreshB)}, {Mb(m.IdleA)} / {Mb(m.IdleB)}, {Mb(m.PeakA)} / {Mb(m.PeakB)} MB");
        if (r.Startup is { } st)
        {
            Row(b, "process start → link up", 0, "-", "-", $"{st.LinkUpSeconds:0.000} s direct ({st.ApiUpSeconds:0.000} s until both APIs answered), {st.LinkUpSecondsViaRelay:0.000} s through the relays");
        }
        if (r.Correctness.Failures.Count > 0)
        {
            b.AppendLine();
            b.AppendLine("**CORRECTNESS FAILURES:**");
            foreach (var failure in r.Correctness.Failures)
            {
                b.AppendLine(CultureInfo.InvariantCulture, $"- {failure}");
            }
        }
        return b.ToString();
    }

    public static void WriteJson(BenchResults r, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(r, Json) + "\n");
    }

    private static void Row(StringBuilder b, string what, int count, string rate, string latency, string other) =>
        b.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {(count > 0 ? count.ToString("N0", CultureInfo.InvariantCulture) : "-")} | {rate} | {latency} | {other} |");

    private static string Ms(double ms) => $"{ms:0.00} ms";

    private static string Rate(double rate) => rate.ToString("N0", CultureInfo.InvariantCulture);

    private static string Mb(long bytes) => BenchRunner.Mb(bytes).ToString("0.0", CultureInfo.InvariantCulture);
}
