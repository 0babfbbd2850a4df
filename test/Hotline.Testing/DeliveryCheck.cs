using System.Globalization;
using System.Text.Json;
using Hotline.Storage;

namespace Hotline.Testing;

/// <summary>One message as seen on the receiving side.</summary>
public sealed record ReceivedRow(long Seq, long Position, string Channel, string Text)
{
    public static ReceivedRow From(StoredMessage m) => new(m.Envelope.Seq, m.Position, m.Envelope.Channel, m.Envelope.Text);

    /// <summary>From a message of <c>GET /api/messages</c>.</summary>
    public static ReceivedRow From(JsonElement m) => new(
        m.GetProperty("seq").GetInt64(), m.GetProperty("position").GetInt64(),
        m.GetProperty("channel").GetString()!, m.GetProperty("text").GetString()!);
}

/// <summary>
/// Test traffic carries its own numbering, <c>"{sender} {channel} #{n}"</c>, with n rising per
/// sender in the order the sender submitted, so the receiving side can tell loss, duplication
/// and reordering apart.
/// </summary>
public static class TrafficText
{
    public static string Format(string sender, string channel, int n) =>
        string.Create(CultureInfo.InvariantCulture, $"{sender} {channel} #{n:D6}");

    public static bool TryParse(string text, out string sender, out string channel, out int n)
    {
        sender = channel = "";
        n = 0;
        var parts = text.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith('#'))
        {
            return false;
        }
        sender = parts[0];
        channel = parts[1];
        return int.TryParse(parts[2].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out n);
    }
}

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
        var late = byArrival.Zip(byArrival.Skip(1)).Where(p => p.Second <= p.First).ToList();
        if (late.Count > 0)
        {
            problems.Add($"{late.Count} messages committed after a later one, first seq {late[0].Second} after seq {late[0].First}");
        }
        return problems;
    }
}
