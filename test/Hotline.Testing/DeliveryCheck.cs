namespace Hotline.Testing;

/// <summary>Compares what a receiver holds from one sender with what that sender submitted.</summary>
public static class DeliveryCheck
{
    /// <param name="received">Everything the receiver holds from the sender (inbound direction).</param>
    /// <param name="sender">The sender's label in <see cref="TrafficText"/>.</param>
    /// <param name="expected">Per channel, the numbers the sender submitted in submission order.</param>
    /// <returns>Every problem found, empty when each message arrived exactly once and in order.</returns>
    public static List<string> Problems(IReadOnlyCollection<ReceivedRow> received, string sender,
        IReadOnlyDictionary<string, List<int>> expected)
    {
        var problems = new List<string>();
        var bySeq = received.OrderBy(r => r.Seq).ToList();

        var duplicateSeqs = bySeq.GroupBy(r => r.Seq).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicateSeqs.Count > 0)
        {
            problems.Add($"{duplicateSeqs.Count} sequence numbers held more than once, first {duplicateSeqs[0]}");
        }
        var seqs = bySeq.Select(r => r.Seq).Distinct().ToList();
        var gaps = seqs.Select((s, i) => (s, i)).FirstOrDefault(p => p.s != p.i + 1);
        if (seqs.Count > 0 && gaps != default)
        {
            problems.Add($"sequence numbers are not 1..{seqs.Count} without gaps: position {gaps.i} holds seq {gaps.s}");
        }

        var channels = new Dictionary<string, List<int>>();
        foreach (var r in bySeq)
        {
            if (!TrafficText.TryParse(r.Text, out var from, out var channel, out var n) || from != sender || channel != r.Channel)
            {
                problems.Add($"unexpected message seq {r.Seq} on {r.Channel}: '{r.Text}'");
                continue;
            }
            (channels.TryGetValue(channel, out var list) ? list : channels[channel] = []).Add(n);
        }

        foreach (var (channel, want) in expected)
        {
            var got = channels.GetValueOrDefault(channel) ?? [];
            var missing = want.Except(got).ToList();
            var duplicated = got.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            var reordered = got.Zip(got.Skip(1)).Where(p => p.Second <= p.First).ToList();
            if (missing.Count > 0)
            {
                problems.Add($"{channel}: {missing.Count} of {want.Count} messages missing, first #{missing[0]}");
            }
            if (duplicated.Count > 0)
            {
                problems.Add($"{channel}: {duplicated.Count} messages delivered more than once, first #{duplicated[0]}");
            }
            if (reordered.Count > 0)
            {
                problems.Add($"{channel}: {reordered.Count} messages out of sequence order, first #{reordered[0].Second} after #{reordered[0].First}");
            }
        }
        foreach (var channel in channels.Keys.Except(expected.Keys))
        {
            problems.Add($"{channel}: {channels[channel].Count} messages on a channel nothing was sent on");
        }

        // Arrival order: the receiver committed them in the order they were sent.
        var byArrival = received.OrderBy(r => r.Position).Select(r => r.Seq).ToList();
        var late = byArrival.Zip(byArrival.Skip(1)).Select((p, i) => (p.First, p.Second, i)).Where(p => p.Second <= p.First).ToList();
        if (late.Count > 0)
        {
            var at = late[0].i;
            var around = string.Join(", ", byArrival.Skip(Math.Max(0, at - 5)).Take(12));
            problems.Add($"{late.Count} messages committed after a later one, first seq {late[0].Second} after seq {late[0].First} (seqs in commit order: ... {around} ...)");
        }
        return problems;
    }

    /// <summary>The problems as one text, empty when there are none: <c>Assert.Equal("", ...)</c> shows them all.</summary>
    public static string Describe(IReadOnlyCollection<ReceivedRow> received, string sender, IReadOnlyDictionary<string, List<int>> expected) =>
        string.Join("\n", Problems(received, sender, expected));
}
