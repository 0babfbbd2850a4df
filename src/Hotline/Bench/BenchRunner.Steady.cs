using System.Diagnostics;

namespace Hotline.Cli.Bench;

internal sealed partial class BenchRunner
{
    /// <summary>One message at a time, A to B: the next is sent once the previous is known delivered.</summary>
    private async Task OneAtATimeAsync(BenchPair pair, CancellationToken ct)
    {
        var sent = new List<Sent>(settings.OneAtATime);
        for (var i = 0; i < settings.OneAtATime; i++)
        {
            var s = await pair.A.SendAsync(MessageSender.Text("single", i), "ROUTINE", ct);
            sent.Add(s);
            await Task.WhenAll(pair.EventsB.WaitReceivedAsync(s.Id, ct), pair.EventsA.WaitDeliveredAsync(s.Id, ct))
                .WaitAsync(TimeSpan.FromSeconds(30), ct);
        }
        pair.Record(sent, fromA: true);
        results.OneAtATime = new BenchResults.OneAtATimeResult(
            Received(sent, pair.EventsB), Delivered(sent, pair.EventsA));
        Phase($"one at a time ({sent.Count}): arrived on B p50/p99/p99.9 {results.OneAtATime.Received.Triple()} ms; " +
            $"A knows delivered {results.OneAtATime.Delivered.Triple()} ms");
    }

    /// <summary>
    /// Closed-loop senders on both nodes for the whole duration: the highest sustained rate, with one
    /// message a request or, <paramref name="batched"/>, <see cref="BenchSettings.BatchSize"/>.
    /// </summary>
    private async Task MaxRateAsync(BenchPair pair, bool batched, CancellationToken ct)
    {
        var (senders, perRequest, label) = batched ? (settings.BatchSenders, settings.BatchSize, "bat") : (settings.Senders, 1, "max");
        var cpu0 = pair.Cpu();
        var arrived0 = pair.EventsA.ReceivedCount + pair.EventsB.ReceivedCount;
        var t0 = Stopwatch.GetTimestamp();
        var sent = await Task.WhenAll(
            pair.A.FloodAsync(senders, int.MaxValue, settings.MaxDuration, $"{label} A", "ROUTINE", ct, perRequest,
                batched ? id => pair.EventsB.WaitReceivedAsync(id, ct) : null),
            pair.B.FloodAsync(senders, int.MaxValue, settings.MaxDuration, $"{label} B", "ROUTINE", ct, perRequest,
                batched ? id => pair.EventsA.WaitReceivedAsync(id, ct) : null));
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
            SendersPerNode = senders,
            MessagesPerRequest = perRequest,
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
        if (batched)
        {
            results.MaxRateBatched = m;
        }
        else
        {
            results.MaxRate = m;
        }
        Phase($"max rate{(batched ? $", {perRequest} a request" : "")}: {m.Messages} messages, accepted {m.AcceptedPerSecond:0}/s, delivered {m.DeliveredPerSecond:0}/s " +
            $"(arrivals while sending {m.ArrivalsPerSecondWhileSending:0}/s, backlog at stop {m.BacklogWhenSendingStopped}); " +
            $"CPU s A {cpu.NodeA} B {cpu.NodeB} bench {cpu.Bench} others {cpu.Others}");
    }

    /// <summary>Constant offered rates: 50, 80 and 100 % of the measured maximum, and the issue's fixed rate.</summary>
    private async Task StepsAsync(BenchPair pair, CancellationToken ct)
    {
        var max = results.MaxRate!.DeliveredPerSecond;
        var steps = new List<(string Label, double Rate)>
        {
            ("50 % of max", Math.Round(max * 0.5)),
            ("80 % of max", Math.Round(max * 0.8)),
            ("100 % of max", Math.Round(max)),
            ($"fixed {settings.FixedRate:0}", settings.FixedRate),
        };
        foreach (var (label, rate) in steps)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var cpu0 = pair.Cpu();
            var t0 = Stopwatch.GetTimestamp();
            var sent = await Task.WhenAll(
                pair.A.PacedAsync(rate / 2, settings.StepDuration, settings.PacedSenders, $"{label[..3]} A", ct),
                pair.B.PacedAsync(rate / 2, settings.StepDuration, settings.PacedSenders, $"{label[..3]} B", ct));
            var tSent = Stopwatch.GetTimestamp();
            pair.Record(sent[0], fromA: true);
            pair.Record(sent[1], fromA: false);
            await pair.WaitAllAsync(sent[0], sent[1], DrainTimeout, ct);
            var cpu = pair.Cpu() - cpu0;
            var count = sent[0].Count + sent[1].Count;
            var step = new BenchResults.StepResult
            {
                Label = label,
                OfferedPerSecond = rate,
                AchievedPerSecond = Math.Round(count / Seconds(t0, tSent)),
                Messages = count,
                Received = LatencySummary.Of([.. Latencies(sent[0], pair.EventsB, received: true), .. Latencies(sent[1], pair.EventsA, received: true)]),
                Delivered = LatencySummary.Of([.. Latencies(sent[0], pair.EventsA, received: false), .. Latencies(sent[1], pair.EventsB, received: false)]),
                Accepted = Accepted(sent.SelectMany(s => s)),
                NodeCpuSecondsPer1000 = Math.Round(cpu.Nodes / count * 1000, 3),
                BenchCpuSecondsPer1000 = Math.Round(cpu.Bench / count * 1000, 3),
            };
            results.Steps.Add(step);
            Phase($"{label}: offered {rate:0}/s, sent {step.AchievedPerSecond:0}/s; arrived p50/p99/p99.9 {step.Received.Triple()} ms; " +
                $"delivered {step.Delivered.Triple()} ms; API {step.Accepted.Triple()} ms");
        }
    }

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
