using System.Globalization;
using Hotline.Core.Messages;
using Hotline.Core.Pairing;

namespace Hotline.Core.Transcript.Evidence;

/// <summary>The readable summary <c>hotline verify-bundle</c> prints.</summary>
public static class BundleSummary
{
    public static IEnumerable<string> Lines(BundleReport report)
    {
        var b = report.Bundle!;
        var exporter = report.CardA!.Key.Is(b.ExportedBy) ? report.CardA : report.CardB!;
        yield return $"Evidence bundle exported {Time(b.ExportedAt)} by {exporter.Name} (signed by its identity key)";
        yield return $"  node A  {Card(report.CardA!)}";
        yield return $"  node B  {Card(report.CardB!)}";
        yield return "  Compare these fingerprints with the ones the nodes' administrators read aloud at pairing: the bundle proves what these keys signed, not who holds them.";
        yield return $"Scope    {Scope(b.Scope)}";
        var byDirection = report.Entries.GroupBy(e => e.Entry.Direction).OrderBy(g => g.Key)
            .Select(g => $"{report.NameOf(g.Key)} → {report.NameOf(g.Key == ChainDirection.AtoB ? ChainDirection.BtoA : ChainDirection.AtoB)}: {g.Count()} (seq {Ranges(g.Select(e => e.Entry.Seq))})");
        yield return $"Entries  {report.Entries.Count} disclosed, every signature and chain link checked; {string.Join("; ", byDirection)}";
        if (report.Checkpoints.Count > 0)
        {
            var latest = report.Checkpoints[^1];
            yield return $"Checkpoints {report.Checkpoints.Count}, each signed by both nodes; the last, proposed {Time(latest.Created)} (the proposer's clock), covers "
                + $"{report.NameOf(ChainDirection.AtoB)} → {report.NameOf(ChainDirection.BtoA)} seq 1–{latest.CountAtoB} and {report.NameOf(ChainDirection.BtoA)} → {report.NameOf(ChainDirection.AtoB)} seq 1–{latest.CountBtoA}";
        }
        else
        {
            yield return "Checkpoints none: entries are proven only by their senders' signatures";
        }
        var proven = report.Entries.Count(e => e.How == VerifiedEntry.ByProof);
        var whole = report.Entries.Count(e => e.How == VerifiedEntry.ByPrefix);
        var loose = report.Entries.Count(e => e.How is null);
        yield return $"Coverage {proven} by inclusion proof, {whole} by recomputing a checkpoint's root from the complete prefix, {loose} not yet covered by any checkpoint";
        yield return $"Receipts {report.Receipts.Count}, each verified with the key of the node that signed it";
        yield return "";
        foreach (var line in EvidenceView.From(report).Lines)
        {
            var e = line.Entry.Envelope;
            var text = line.Text.Length > 100 ? line.Text[..100] + "…" : line.Text;
            yield return $"  {Dtg.Format(e.Created)}  {e.Precedence.ToWire(),-9} {line.From} → {line.To}  [{e.Channel}] {line.Kind} seq {line.Entry.Entry.Seq}: \"{Clean(text)}\"";
            yield return $"      {line.States}{(line.Reply is null ? "" : $" — reply \"{Clean(line.Reply)}\"")}";
            foreach (var t in line.Translations)
            {
                yield return $"      {Clean(t)}";
            }
        }
    }

    private static string Card(PairingCard c) => $"{c.Name} ({c.Key.Id}), fingerprint {c.Fingerprint}";

    private static string Scope(BundleScope s) => s.Kind switch
    {
        BundleScope.Window => $"entries created {(s.From is { } f ? $"from {Time(f)} " : "")}{(s.To is { } t ? $"to {Time(t)}" : "")} (the senders' clocks)",
        BundleScope.Selected => $"selected envelopes only ({string.Join(", ", s.Ids ?? [])}) and their seen/acknowledgement envelopes; nothing else is disclosed",
        _ => "the whole transcript",
    };

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Clean(string text) => new(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());

    /// <summary>"1–5, 9" for 1,2,3,4,5,9.</summary>
    public static string Ranges(IEnumerable<long> seqs)
    {
        var parts = new List<string>();
        long? first = null, last = null;
        foreach (var s in seqs.Order())
        {
            if (last is { } l && s == l + 1)
            {
                last = s;
                continue;
            }
            if (first is not null)
            {
                parts.Add(first == last ? $"{first}" : $"{first}–{last}");
            }
            first = last = s;
        }
        if (first is not null)
        {
            parts.Add(first == last ? $"{first}" : $"{first}–{last}");
        }
        return string.Join(", ", parts);
    }
}
