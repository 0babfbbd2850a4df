using Hotline.Core.Messages;
using Hotline.Protocol;

namespace Hotline.Core.Transcript.Evidence;

/// <summary>
/// The exchange a checked bundle records, as people read it: each message with its states, taken
/// only from signed material in the bundle (receipts, checkpoints, seen and acknowledgement envelopes).
/// </summary>
public sealed record EvidenceView
{
    public required IReadOnlyList<MessageLine> Lines { get; init; }

    public static EvidenceView From(BundleReport report)
    {
        var responses = report.Entries
            .Where(e => IsAnnotation(e.Envelope.Kind) && e.Envelope.Reference is not null)
            .ToLookup(e => e.Envelope.Reference!.Value);
        var ids = report.Entries.Select(e => e.Envelope.Id).ToHashSet();
        var lines = new List<MessageLine>();
        foreach (var e in report.Entries.OrderBy(e => e.Envelope.Created).ThenBy(e => e.Entry.Direction).ThenBy(e => e.Entry.Seq))
        {
            // Answers and translations are shown with the message they name, when the bundle holds it.
            var isResponse = IsAnnotation(e.Envelope.Kind) && e.Envelope.Reference is { } r && ids.Contains(r);
            if (isResponse)
            {
                continue;
            }
            var answers = responses[e.Envelope.Id].Where(a => a.Envelope.Kind is EnvelopeKind.Seen or EnvelopeKind.Acknowledgement).OrderBy(a => a.Entry.Seq).ToList();
            var ack = answers.FirstOrDefault(a => a.Envelope.Kind == EnvelopeKind.Acknowledgement);
            var seen = answers.FirstOrDefault();
            var recipient = report.Sides is null ? ChainDirection.AtoB : (e.Entry.Direction == ChainDirection.AtoB ? ChainDirection.BtoA : ChainDirection.AtoB);
            lines.Add(new MessageLine
            {
                Entry = e,
                From = report.NameOf(e.Entry.Direction),
                To = report.NameOf(recipient),
                Kind = KindName(e.Envelope.Kind),
                Text = TextOf(e.Envelope),
                Translations = responses[e.Envelope.Id].Where(t => t.Envelope.Kind == EnvelopeKind.Translation)
                    .OrderBy(t => t.Envelope.Created).Select(t => Translation(t, responses[t.Envelope.Id], report)).ToList(),
                Delivered = e.RejectedByRecipient is { } why ? $"refused by {report.NameOf(recipient)}: {why}"
                    : e.Receipted is { } at ? $"receipted by {report.NameOf(recipient)} {Dtg.Format(at)}"
                    : e.How is not null ? $"held by {report.NameOf(recipient)} (co-signed checkpoint {e.Checkpoint + 1})"
                    : null,
                Seen = seen is null ? null : $"seen by {seen.Envelope.Actor ?? "?"} {Dtg.Format(seen.Envelope.Created)}",
                Acknowledged = ack is null ? null : $"acknowledged by {ack.Envelope.Actor ?? "?"} {Dtg.Format(ack.Envelope.Created)}",
                Reply = ack is { Envelope.Text.Length: > 0 } ? ack.Envelope.Text : null,
                Proof = e.How is null ? "signed by its sender; not yet covered by a co-signed checkpoint" : $"in co-signed checkpoint {e.Checkpoint + 1} ({e.How})",
            });
        }
        return new EvidenceView { Lines = lines };
    }

    public static string KindName(EnvelopeKind kind) => kind switch
    {
        EnvelopeKind.Message => "message",
        EnvelopeKind.Seen => "seen",
        EnvelopeKind.Acknowledgement => "acknowledgement",
        EnvelopeKind.Test => "line test",
        EnvelopeKind.Translation => "translation",
        EnvelopeKind.Certification => "certification",
        _ => $"kind {(int)kind}",
    };

    private static bool IsAnnotation(EnvelopeKind kind) =>
        kind is EnvelopeKind.Seen or EnvelopeKind.Acknowledgement or EnvelopeKind.Translation or EnvelopeKind.Certification;

    /// <summary>Free text as written; a catalog message rendered in English after its id (the values are what was signed).</summary>
    public static string TextOf(Envelopes.Envelope e) => e.Template is { } t ? $"[{t.Id}, catalog {t.CatalogVersion}] {Catalog.CatalogText.Render(t, Catalog.CatalogLanguages.English).Text}"
        : e.Kind == EnvelopeKind.Translation ? $"({e.Language}) {e.Text}"
        : e.Text;

    private static string Translation(VerifiedEntry t, IEnumerable<VerifiedEntry> certifications, BundleReport report)
    {
        var by = $"translation ({t.Envelope.Language}) by {t.Envelope.Actor} of {report.NameOf(t.Entry.Direction)} {Dtg.Format(t.Envelope.Created)}";
        var certified = certifications.Where(c => c.Envelope.Kind == EnvelopeKind.Certification)
            .Select(c => $"certified by {c.Envelope.Actor} of {report.NameOf(c.Entry.Direction)} {Dtg.Format(c.Envelope.Created)}").ToList();
        return $"{by}; {(certified.Count > 0 ? string.Join("; ", certified) : "not certified")}: {t.Envelope.Text}";
    }
}
