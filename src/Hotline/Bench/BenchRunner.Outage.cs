using System.Diagnostics;

namespace Hotline.Cli.Bench;

internal sealed partial class BenchRunner
{
    /// <summary>
    /// Cuts the link, has A queue a backlog (committed to its disk), restores the link and times the
    /// drain. With <paramref name="restartReceiver"/>, B is killed during the outage and started
    /// again before the link is restored: the backlog then meets a node that has just started.
    /// </summary>
    private async Task CatchUpAsync(BenchPair pair, bool restartReceiver, CancellationToken ct)
    {
        var (backlog, queuedPerSecond) = await QueueBacklogAsync(pair, restartReceiver ? "restart" : "catch", ct);
        if (restartReceiver)
        {
            var restarted = Stopwatch.GetTimestamp();
            await pair.RestartBAsync(ct);
            Phase($"outage: B killed and started again, its API answering {Seconds(restarted, Stopwatch.GetTimestamp()):0.000} s later");
        }
        var cpu0 = pair.Cpu();
        var linkUpBefore = pair.EventsA.LinkUpAt;
        var tRestore = Stopwatch.GetTimestamp();
        pair.Restore();
        await pair.WaitAllAsync(backlog, fromA: true, DrainTimeout, ct);
        var cpu = pair.Cpu() - cpu0;
        var linkUp = pair.EventsA.LinkUpAt != linkUpBefore ? pair.EventsA.LinkUpAt : FirstArrival(backlog, pair.EventsB);
        var last = LastArrival(backlog, pair.EventsB);
        var lastDelivered = backlog.Max(s => pair.EventsA.TryGetDelivered(s.Id, out var at) ? at : 0);
        var c = new BenchResults.CatchUpResult
        {
            Backlog = backlog.Count,
            QueuedPerSecond = Math.Round(queuedPerSecond),
            ReconnectSeconds = Math.Round(Seconds(tRestore, linkUp), 3),
            DrainSeconds = Math.Round(Seconds(linkUp, last), 3),
            ArrivalsPerSecond = Math.Round(backlog.Count / Seconds(linkUp, last)),
            DeliveredPerSecond = Math.Round(backlog.Count / Seconds(linkUp, lastDelivered)),
            Cpu = cpu,
        };
        if (restartReceiver)
        {
            results.CatchUpAfterRestart = c;
        }
        else
        {
            results.CatchUp = c;
        }
        Phase($"catch-up{(restartReceiver ? " after B restarted" : "")}: {c.Backlog} queued during the outage ({c.QueuedPerSecond:0}/s); link back after {c.ReconnectSeconds} s; " +
            $"drained in {c.DrainSeconds} s = {c.ArrivalsPerSecond:0}/s arriving, {c.DeliveredPerSecond:0}/s known delivered; CPU s A {cpu.NodeA} B {cpu.NodeB}");
    }

    /// <summary>
    /// Queues a ROUTINE backlog during an outage, restores the link and, while the backlog drains,
    /// sends FLASH messages one by one at a steady pace.
    /// </summary>
    private async Task FlashAsync(BenchPair pair, CancellationToken ct)
    {
        var (backlog, _) = await QueueBacklogAsync(pair, "flash", ct);
        var linkUpBefore = pair.EventsA.LinkUpAt;
        var arrivedBefore = pair.EventsB.ReceivedCount;
        pair.Restore();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (pair.EventsA.LinkUpAt == linkUpBefore && pair.EventsB.ReceivedCount == arrivedBefore)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new BenchFailure("the link did not come back within 30 s of the relays being restored");
            }
            await Task.Delay(1, ct);
        }
        var probes = new List<Sent>();
        long leftAtFirst = 0, leftAtLast = 0;
        var gc0 = GC.GetTotalPauseDuration();
        var nodes0 = await NodeCountersAsync(pair, ct);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < settings.FlashProbes; i++)
        {
            var due = start + (long)(i * settings.FlashInterval.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < due)
            {
                await Task.Delay(1, ct);
            }
            var left = backlog.Count - (pair.EventsB.ReceivedCount - arrivedBefore);
            if (i == 0)
            {
                leftAtFirst = left;
            }
            leftAtLast = left;
            probes.Add(await pair.A.SendAsync(MessageSender.Text("FLASH", i), "FLASH", ct));
        }
        pair.Record(probes, fromA: true);
        // The nodes' figures while the probes crossed, not through the rest of the drain: the backlog
        // then has the link to itself at its whole window, and collects more.
        await pair.WaitAllAsync(probes, fromA: true, DrainTimeout, ct);
        var gcPause = PausedSince(gc0);
        var nodes = await NodeCountersSinceAsync(pair, nodes0, ct);
        await pair.WaitAllAsync(backlog, fromA: true, DrainTimeout, ct);
        results.Flash = new BenchResults.FlashResult
        {
            Backlog = backlog.Count,
            Probes = probes.Count,
            BacklogLeftAtFirstProbe = leftAtFirst,
            BacklogLeftAtLastProbe = leftAtLast,
            Received = Received(probes, pair.EventsB),
            Delivered = Delivered(probes, pair.EventsA),
            Accepted = Accepted(probes),
            CommittedOnB = LatencySummary.Of(CommittedOn(probes, pair.EventsB)),
            BenchGcPauseMs = gcPause,
            NodeGcPauseMs = nodes.PausedMs,
            WriterBusyPercent = nodes.WriterBusyPercent,
            WriterCpuPercent = nodes.WriterCpuPercent,
            WriterSlow = nodes.WriterSlow,
            PoolSlow = nodes.PoolSlow,
        };
        var f = results.Flash;
        Phase($"FLASH behind {f.Backlog} ROUTINE ({f.BacklogLeftAtFirstProbe} still queued at the first probe, {f.BacklogLeftAtLastProbe} at the last): " +
            $"arrived p50/p99/p99.9 {f.Received.Triple()} ms; committed on B {f.CommittedOnB.Triple()} ms; delivered {f.Delivered.Triple()} ms; API {f.Accepted.Triple()} ms; while the probes ran: GC pauses bench {f.BenchGcPauseMs:0} ms, nodes {f.NodeGcPauseMs} ms, store writers busy {f.WriterBusyPercent} % (CPU {f.WriterCpuPercent} %){BenchReport.SlowNote(f.WriterSlow)}{BenchReport.PoolNote(f.PoolSlow)}");
        if (leftAtLast <= 0)
        {
            Phase("note: the backlog had drained before the last FLASH probe; later probes did not queue behind it");
        }
    }

    /// <summary>From each API call until the receiver committed the message, by the receiver's clock.</summary>
    private static IEnumerable<double> CommittedOn(IEnumerable<Sent> sent, EventRecorder receiver)
    {
        foreach (var s in sent)
        {
            if (receiver.TryGetCommittedMs(s.Id, out var unixMs))
            {
                yield return unixMs - s.StartedUnixMs;
            }
        }
    }

    private async Task<(List<Sent> Backlog, double PerSecond)> QueueBacklogAsync(BenchPair pair, string label, CancellationToken ct)
    {
        await pair.CutAsync(ct);
        var t0 = Stopwatch.GetTimestamp();
        var backlog = await pair.A.FloodAsync(settings.Senders, settings.Backlog, null, label, "ROUTINE", ct);
        var perSecond = backlog.Count / Seconds(t0, Stopwatch.GetTimestamp());
        pair.Record(backlog, fromA: true);
        var arrived = backlog.Count(s => pair.EventsB.TryGetReceived(s.Id, out _));
        if (arrived > 0)
        {
            throw new BenchFailure($"{arrived} messages arrived while the link was cut: the relays did not cut it");
        }
        var undelivered = await BenchPair.UndeliveredAsync(pair.Pair.A, ct);
        Phase($"outage: A committed {backlog.Count} ROUTINE messages ({perSecond:0}/s through its API); A reports {undelivered} undelivered");
        return (backlog, perSecond);
    }
}
