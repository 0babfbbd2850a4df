using System.Globalization;
using System.Net;
using System.Text;
using Hotline.Core.Messages;
using Hotline.Core.Pairing;

namespace Hotline.Core.Transcript.Evidence;

/// <summary>
/// Renders a checked bundle as one self-contained HTML page for printing: the parties, the scope,
/// the checkpoints, and every disclosed message with its states. Every text is HTML-escaped.
/// </summary>
public static class HtmlReport
{
    public static string Render(BundleReport report)
    {
        var b = report.Bundle ?? throw new ArgumentException("The bundle could not be read at all.", nameof(report));
        var a = report.CardA!;
        var bb = report.CardB!;
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>Hotline record: {E(a.Name)} ⇄ {E(bb.Name)}</title>
            <style>
            body {'{'} font-family: "Segoe UI", Helvetica, Arial, sans-serif; font-size: 10pt; margin: 2em; color: #000; {'}'}
            h1 {'{'} font-size: 16pt; margin-bottom: 0.2em; {'}'}
            h2 {'{'} font-size: 12pt; margin-top: 1.5em; border-bottom: 1px solid #888; {'}'}
            table {'{'} border-collapse: collapse; width: 100%; {'}'}
            th, td {'{'} border: 1px solid #999; padding: 3px 5px; vertical-align: top; text-align: left; {'}'}
            th {'{'} background: #eee; {'}'}
            tr {'{'} page-break-inside: avoid; {'}'}
            .text {'{'} white-space: pre-wrap; word-break: break-word; {'}'}
            .mono {'{'} font-family: Consolas, "DejaVu Sans Mono", monospace; font-size: 9pt; {'}'}
            .ok {'{'} border: 2px solid #060; padding: 0.5em; {'}'}
            .bad {'{'} border: 2px solid #a00; padding: 0.5em; {'}'}
            .FLASH {'{'} font-weight: bold; {'}'}
            .dtg {'{'} white-space: nowrap; {'}'}
            @media print {'{'} body {'{'} margin: 0; {'}'} {'}'}
            </style>
            </head>
            <body>
            <h1>Hotline record: {E(a.Name)} ⇄ {E(bb.Name)}</h1>
            <p>Exported {E(Time(b.ExportedAt))} by {E(a.Key.Is(b.ExportedBy) ? a.Name : bb.Name)}. Times are date-time groups in UTC, as each sender's clock stated them.</p>

            """);
        if (report.Ok)
        {
            html.Append("<div class=\"ok\"><strong>Verified.</strong> Every signature, chain link, checkpoint and inclusion proof in the bundle checks.</div>\n");
        }
        else
        {
            html.Append("<div class=\"bad\"><strong>NOT VERIFIED.</strong> Do not rely on this record:<ul>\n");
            foreach (var p in report.Problems)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>{E(p)}</li>\n");
            }
            html.Append("</ul></div>\n");
        }

        html.Append("<h2>Parties</h2>\n<table>\n<tr><th>Node</th><th>Name</th><th>Identity</th><th>Fingerprint</th><th>Channels</th></tr>\n");
        foreach (var (label, card) in new[] { ("A", a), ("B", bb) })
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{label}</td><td>{E(card.Name)}</td><td class=\"mono\">{E(card.Key.Id)}</td><td class=\"mono\">{E(card.Fingerprint)}</td><td>{E(string.Join(", ", card.Channels))}</td></tr>\n");
        }
        html.Append("</table>\n<p>The fingerprints are those the administrators compared at pairing; the record proves what these keys signed.</p>\n");

        html.Append(CultureInfo.InvariantCulture, $"<h2>Scope</h2>\n<p>{E(Scope(b.Scope))}</p>\n");

        html.Append("<h2>Co-signed checkpoints</h2>\n");
        if (report.Checkpoints.Count == 0)
        {
            html.Append("<p>None in this bundle.</p>\n");
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<table>\n<tr><th>#</th><th>Proposed (proposer's clock)</th><th>Proposer</th><th>{E(a.Name)} → {E(bb.Name)}</th><th>{E(bb.Name)} → {E(a.Name)}</th><th>Merkle root</th></tr>\n");
            for (var i = 0; i < report.Checkpoints.Count; i++)
            {
                var c = report.Checkpoints[i];
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr><td>{i + 1}</td><td>{E(Dtg.Format(c.Created))}</td><td>{E(c.Proposer.Equals(a.Key) ? a.Name : bb.Name)}</td><td>seq 1–{c.CountAtoB}</td><td>seq 1–{c.CountBtoA}</td><td class=\"mono\">{E(Convert.ToHexStringLower(c.TranscriptRoot))}</td></tr>\n");
            }
            html.Append("</table>\n");
        }

        html.Append("<h2>Messages</h2>\n<table>\n<tr><th>DTG</th><th>Precedence</th><th>From → To</th><th>Channel, label</th><th>Text</th><th>States</th><th>Record</th></tr>\n");
        foreach (var line in EvidenceView.From(report).Lines)
        {
            var e = line.Entry.Envelope;
            var states = new StringBuilder();
            foreach (var s in new[] { line.Delivered ?? "no receipt in the bundle", line.Seen, line.Acknowledged }.OfType<string>())
            {
                states.Append(CultureInfo.InvariantCulture, $"{E(s)}<br>");
            }
            if (line.Reply is not null)
            {
                states.Append(CultureInfo.InvariantCulture, $"reply: <span class=\"text\">{E(line.Reply)}</span>");
            }
            var translations = string.Concat(line.Translations.Select(t => $"<br><span class=\"text\">{E(t)}</span>"));
            var kind = line.Kind == "message" ? "" : $"<br>({E(line.Kind)})";
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=\"dtg\">{E(Dtg.Format(e.Created))}</td><td class=\"{E(e.Precedence.ToWire())}\">{E(e.Precedence.ToWire())}</td><td>{E(line.From)} → {E(line.To)}</td>"
                + $"<td>{E(e.Channel)}{(e.Label is { } l ? $"<br>{E(l.ToString())}" : "")}</td><td class=\"text\">{E(line.Text)}{kind}{translations}</td><td>{states}</td>"
                + $"<td>seq {line.Entry.Entry.Seq}<br>id <span class=\"mono\">{E(e.Id.ToString())}</span><br>{E(line.Proof)}</td></tr>\n");
        }
        html.Append("</table>\n");
        html.Append("<p>Delivery is shown from the recipient's signed receipts or from a checkpoint the recipient co-signed; seen and acknowledged states from the signed envelopes that carried them. "
            + "Check the bundle itself with <code>hotline verify-bundle</code>.</p>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Scope(BundleScope s) => s.Kind switch
    {
        BundleScope.Window => $"Entries created from {(s.From is { } f ? Time(f) : "the start")} to {(s.To is { } t ? Time(t) : "the end")} (senders' clocks).",
        BundleScope.Selected => $"Selected messages only, with their seen and acknowledgement envelopes: {string.Join(", ", s.Ids ?? [])}. Each is proven part of a co-signed checkpoint; nothing else is disclosed.",
        _ => "The whole transcript of the link.",
    };
}
