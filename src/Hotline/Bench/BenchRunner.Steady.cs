using System.Diagnostics;
using System.Threading.Channels;

namespace Hotline.Cli.Bench;

internal sealed partial class BenchRunner
{
    /// <summary>
    /// One message at a time, A to B: the next is sent once the previous is known delivered. Each
    /// message in turn is posted (POST /api/messages) or written to a WebSocket (GET
    /// /api/messages/stream), so both ways are timed under the same conditions.
    /// </summary>
    private async Task OneAtATimeAsync(BenchPair pair, CancellationToken ct)
    {
        var posted = new List<Sent>(settings.OneAtATime);
        var streamed = new List<Sent>(settings.OneAtATime);
        var answers = Channel.CreateUnbounded<Sent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        await using var stream = await pair.A.ConnectStreamAsync(s => answers.Writer.TryWrite(s), ct);
        for (var i = 0; i < 2 * settings.OneAtATime; i++)
        {
            Sent s;
            if (i % 2 == 0)
            {
                s = await pair.A.SendAsync(MessageSender.Text("single", i), "ROUTINE", ct);
                posted.Add(s);
            }
            else
            {
                await stream.SendAsync(pair.A.Message(MessageSender.Text("single", i), "ROUTINE"), ct);
                s = await answers.Reader.ReadAsync(ct);
                streamed.Add(s);
            }
            await Task.WhenAll(pair.EventsB.WaitReceivedAsync(s.Id, ct), pair.EventsA.WaitDeliveredAsync(s.Id, ct))
                .WaitAsync(TimeSpan.FromSeconds(30), ct);
        }
        await stream.CloseAsync(ct);
        pair.Record([.. posted, .. streamed], fromA: true);
        results.OneAtATime = new BenchResults.OneAtATimeResult(Received(posted, pair.EventsB), Delivered(posted, pair.EventsA), Accepted(posted));
        results.OneAtATimeStreamed = new BenchResults.OneAtATimeResult(Received(streamed, pair.EventsB), Delivered(streamed, pair.EventsA), Accepted(streamed));
        foreach (var (how, r) in new[] { ("posted", results.OneAtATime), ("streamed", results.OneAtATimeStreamed) })
        {
            Phase($"one at a time, {how} ({r.Received.Count}): arrived on B p50/p99/p99.9 {r.Received.Triple()} ms; " +
                $"A knows delivered {r.Delivered.Triple()} ms; API {r.Accepted.Triple()} ms");
        }
    }

    /// <summary>How the senders of a rate phase hand messages to a node's API.</summary>
    internal enum Submission
    {
        /// <summary>POST /api/messages, one request outstanding per connection.</summary>
        OneARequest,
        /// <summary>POST /api/messages/batch, <see cref="BenchSettings.BatchSize"/> a request.</summary>
        Batched,
        /// <summary>GET /api/messages/stream: one message a WebSocket frame, answers not awaited.</summary>
        Streamed,
    }

    /// <summary>Closed-loop senders on both nodes for the whole duration: the highest sustained rate.</summary>
    private async Task MaxRateAsync(BenchPair pair, Submission how, CancellationToken ct)
    {
        var cpu0 = pair.Cpu();
        var arrived0 = pair.EventsA.ReceivedCount + pair.EventsB.ReceivedCount;
        var t0 = Stopwatch.GetTimestamp();
        Task<List<Sent>> Flood(MessageSender sender, string label, EventRecorder receiver) => how switch
        {
            Submission.OneARequest => sender.FloodAsync(settings.Senders, int.MaxValue, settings.MaxDuration, label, "ROUTINE", ct),
            Submission.Batched => sender.FloodAsync(settings.BatchSenders, int.MaxValue, settings.MaxDuration, label, "ROUTINE", ct, settings.BatchSize,
                id => receiver.WaitReceivedAsync(id, ct)),
            _ => sender.StreamFloodAsync(settings.Streams, settings.StreamWindow, settings.MaxDuration, label, id => receiver.WaitReceivedAsync(id, ct), ct),
        };
        var label = how switch { Submission.OneARequest => "max", Submission.Batched => "bat", _ => "str" };
        var sent = await Task.WhenAll(Flood(pair.A, $"{label} A", pair.EventsB), Flood(pair.B, $"{label} B", pair.EventsA));
        var tSent = Stopwatch.GetTimestamp();
        var arrivedWhileSending = pair.EventsA.ReceivedCount + pair.EventsB.ReceivedCount - arrived0;
        pair.Record(sent[0], fromA: true);
        pair.Record(sent[1], fromA: false);
        await pair.WaitAllAsync(sent[0], sent[1], DrainTimeout, ct);
        var cpu = pair.Cpu() - cpu0;
        var count = sent[0].Count + sent[1].Count;
        var lastArrival = Math.Max(LastArrival(sent[0], pair.EventsB), LastArrival(sent[1], pair.EventsA));
        var m = new BenchResults.MaxRateResult
        {
            Submission = how,
            SendersPerNode = how switch { Submission.OneARequest => settings.Senders, Submission.Batched => settings.BatchSenders, _ => settings.Streams },
            MessagesPerRequest = how == Submission.Batched ? settings.BatchSize : 1,
            Messages = count,
            SendSeconds = Math.Round(Seconds(t0, tSent), 2),
            AcceptedPerSecond = Math.Round(count / Seconds(t0, tSent)),
            DeliveredPerSecond = Math.Round(count / Seconds(t0, lastArrival)),
            ArrivalsPerSecondWhileSending = Math.Round(arrivedWhileSending / Seconds(t0, tSent)),
            BacklogWhenSendingStopped = count - arrivedWhileSending,
            Received = LatencySummary.Of([.. Latencies(sent[0], pair.EventsB, received: true), .. Latencies(sent[1], pair.EventsA, received: true)]),
            Cpu = cpu,
            NodeCpuSecondsPer1000 = Math.Round(cpu.Nodes / count * 1000, 3),
            BenchCpuSecondsPer1000 = Math.Round(cpu.Bench / count * 1000, 3),
        };
        switch (how)
        {
            case Submission.OneARequest:
                results.MaxRate = m;
                break;
            case Submission.Batched:
                results.MaxRateBatched = m;
                break;
            default:
                results.MaxRateStreamed = m;
                break;
        }
        Phase($"max rate, {m.Describe()}: {m.Messages} messages, accepted {m.AcceptedPerSecond:0}/s, delivered {m.DeliveredPerSecond:0}/s " +
            $"(arrivals while sending {m.ArrivalsPerSecondWhileSending:0}/s, backlog at stop {m.BacklogWhenSendingStopped}); " +
            $"CPU s A {cpu.NodeA} B {cpu.NodeB} bench {cpu.Bench} others {cpu.Others}");
    }

    /// <summary>Constant offered rates: 50, 80 and 100 % of the measured maximum, and the issue's fixed rate.</summary>
    private async Task StepsAsync(BenchPair pair, CancellationToken ct)
    {
        var max = results.MaxRate!.DeliveredPerSecond;
        await StepAsync(pair, "50 % of max", Math.Round(max * 0.5), streamed: false, ct);
        await StepAsync(pair, "80 % of max", Math.Round(max * 0.8), streamed: false, ct);
        await StepAsync(pair, "100 % of max", Math.Round(max), streamed: false, ct);
        await StepAsync(pair, $"fixed {settings.FixedRate:0}", settings.FixedRate, streamed: false, ct);
    }

    /// <summary>Half of <paramref name="rate"/> offered to each node, whatever the answers take.</summary>
    private async Task StepAsync(BenchPair pair, string label, double rate, bool streamed, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        // Read before the step's CPU and clock start, and after they stop: the scrapes are not the step's work.
        var nodes0 = await NodeCountersAsync(pair, ct);
        var ups0 = pair.EventsA.LinkUps;
        var cpu0 = pair.Cpu();
        var gc0 = GC.GetTotalPauseDuration();
        var stolen0 = ProcStats.StolenSeconds();
        var tcp0 = ProcStats.Tcp();
        var t0 = Stopwatch.GetTimestamp();
        var senders = streamed ? settings.PacedStreams : settings.PacedSenders;
        var sent = await Task.WhenAll(
            pair.A.PacedAsync(rate / 2, settings.StepDuration, senders, $"{label[..3]} A", ct, streamed),
            pair.B.PacedAsync(rate / 2, settings.StepDuration, senders, $"{label[..3]} B", ct, streamed));
        var tSent = Stopwatch.GetTimestamp();
        pair.Record(sent[0], fromA: true);
        pair.Record(sent[1], fromA: false);
        await pair.WaitAllAsync(sent[0], sent[1], DrainTimeout, ct);
        var cpu = pair.Cpu() - cpu0;
        var stolen = Math.Round((ProcStats.StolenSeconds() - stolen0) * 1000);
        var tcp = ProcStats.Tcp() - tcp0;
        var nodes = await NodeCountersSinceAsync(pair, nodes0, ct);
        var count = sent[0].Count + sent[1].Count;
        var step = new BenchResults.StepResult
        {
            Label = label,
            Streamed = streamed,
            OfferedPerSecond = rate,
            AchievedPerSecond = Math.Round(count / Seconds(t0, tSent)),
            Messages = count,
            Received = LatencySummary.Of([.. Latencies(sent[0], pair.EventsB, received: true), .. Latencies(sent[1], pair.EventsA, received: true)]),
            Committed = LatencySummary.Of([.. CommittedOn(sent[0], pair.EventsB), .. CommittedOn(sent[1], pair.EventsA)]),
            Delivered = LatencySummary.Of([.. Latencies(sent[0], pair.EventsA, received: false), .. Latencies(sent[1], pair.EventsB, received: false)]),
            Accepted = Accepted(sent.SelectMany(s => s)),
            NodeCpuSecondsPer1000 = Math.Round(cpu.Nodes / count * 1000, 3),
            BenchCpuSecondsPer1000 = Math.Round(cpu.Bench / count * 1000, 3),
            BenchGcPauseMs = PausedSince(gc0),
            NodeGcPauseMs = nodes.PausedMs,
            NodeAllocatedKbPerMessage = Math.Round(nodes.AllocatedBytes / 1024 / count, 1),
            WriterBusyPercent = nodes.WriterBusyPercent,
            WriterCpuPercent = nodes.WriterCpuPercent,
            WriterSlow = nodes.WriterSlow,
            PoolSlow = nodes.PoolSlow,
            StreamFullMs = nodes.StreamFullMs,
            StolenMs = stolen,
            Tcp = tcp,
            LinkUps = pair.EventsA.LinkUps - ups0,
        };
        results.Steps.Add(step);
        Phase($"{label}{(streamed ? ", streamed" : "")}: offered {rate:0}/s, sent {step.AchievedPerSecond:0}/s; arrived p50/p99/p99.9 {step.Received.Triple()} ms; " +
            $"committed {step.Committed.Triple()} ms; delivered {step.Delivered.Triple()} ms; API {step.Accepted.Triple()} ms; {BenchReport.StepLoad(step)}");
    }

    /// <summary>Milliseconds the bench client spent paused for its collector since <paramref name="before"/> (<see cref="GC.GetTotalPauseDuration"/>).</summary>
    private static double PausedSince(TimeSpan before) => Math.Round((GC.GetTotalPauseDuration() - before).TotalMilliseconds, 1);

    /// <summary>Both nodes' counters since they started, the bench client's thread pool's, and when they were read.</summary>
    private async Task<Counters> NodeCountersAsync(BenchPair pair, CancellationToken ct) =>
        new(await pair.A.CountersAsync(ct), await pair.B.CountersAsync(ct), _pool.SlowStarts, _pool.SlowSeconds, Stopwatch.GetTimestamp());

    private readonly record struct Counters(NodeCounters A, NodeCounters B, long BenchSlowStarts, double BenchSlowSeconds, long At);

    /// <summary>
    /// What both nodes did since <paramref name="before"/>: each node's collector pauses (ms), the
    /// bytes both allocated, how busy each node's store writer was and how much of that was CPU
    /// (% of the time between), and its slow transactions; the thread pools' slow starts, the bench
    /// client's included; how long each node's message streams stopped reading, their windows full.
    /// </summary>
    private async Task<NodeDelta> NodeCountersSinceAsync(BenchPair pair, Counters before, CancellationToken ct)
    {
        var now = await NodeCountersAsync(pair, ct);
        BenchResults.PerNode Since(Func<NodeCounters, double> counter, double scale, int digits) =>
            new(Math.Round((counter(now.A) - counter(before.A)) * scale, digits), Math.Round((counter(now.B) - counter(before.B)) * scale, digits));
        var allocated = Since(c => c.AllocatedBytes, 1, 0);
        var percent = 100 / Seconds(before.At, now.At);
        return new(Since(c => c.PausedMs, 1, 1), allocated.A + allocated.B, Since(c => c.WriterBusySeconds, percent, 0), Since(c => c.WriterCpuSeconds, percent, 0),
            new(Since(c => c.WriterSlowTransactions, 1, 0), Since(c => c.WriterSlowSeconds, 1, 3)),
            new(now.BenchSlowStarts - before.BenchSlowStarts, Math.Round(now.BenchSlowSeconds - before.BenchSlowSeconds, 3),
                Since(c => c.PoolSlowStarts, 1, 0), Since(c => c.PoolSlowSeconds, 1, 3), Since(c => c.PoolThreads, 1, 0)),
            Since(c => c.StreamFullSeconds, 1000, 0));
    }

    private sealed record NodeDelta(BenchResults.PerNode PausedMs, double AllocatedBytes, BenchResults.PerNode WriterBusyPercent, BenchResults.PerNode WriterCpuPercent,
        BenchResults.SlowWrites WriterSlow, BenchResults.PoolStalls PoolSlow, BenchResults.PerNode StreamFullMs);

    private static LatencySummary Received(IEnumerable<Sent> sent, EventRecorder receiver) => LatencySummary.Of(Latencies(sent, receiver, received: true));

    private static LatencySummary Delivered(IEnumerable<Sent> sent, EventRecorder sender) => LatencySummary.Of(Latencies(sent, sender, received: false));

    private static LatencySummary Accepted(IEnumerable<Sent> sent) => LatencySummary.Of(sent.Select(s => LatencySummary.Ms(s.StartedAt, s.AcceptedAt)));

    private static IEnumerable<double> Latencies(IEnumerable<Sent> sent, EventRecorder events, bool received)
    {
        foreach (var s in sent)
        {
            var ok = received ? events.TryGetReceived(s.Id, out var at) : events.TryGetDelivered(s.Id, out at);
            if (ok)
            {
                yield return LatencySummary.Ms(s.StartedAt, at);
            }
        }
    }

    private static long LastArrival(IEnumerable<Sent> sent, EventRecorder receiver) =>
        sent.Select(s => receiver.TryGetReceived(s.Id, out var at) ? at : 0).DefaultIfEmpty(0).Max();

    private static long FirstArrival(IEnumerable<Sent> sent, EventRecorder receiver) =>
        sent.Select(s => receiver.TryGetReceived(s.Id, out var at) ? at : long.MaxValue).DefaultIfEmpty(0).Min();
}
