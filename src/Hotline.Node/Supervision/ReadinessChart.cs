using System.Globalization;
using System.Security;
using System.Text;

namespace Hotline.Node.Supervision;

/// <summary>
/// The readiness report as a self-contained SVG: the link's state over the period (up, degraded,
/// down, unknown) with the path under it, and each line test's answer time against its window.
/// </summary>
public static class ReadinessChart
{
    private const int Width = 960;
    private const int Left = 70;
    private const int Right = 20;
    private const int PlotWidth = Width - Left - Right;

    private static readonly Dictionary<string, string> StateColours = new()
    {
        ["up"] = "#2e7d32",
        ["degraded"] = "#f9a825",
        ["down"] = "#c62828",
        ["unknown"] = "#bdbdbd",
    };

    private static readonly string[] PathColours = ["#1565c0", "#6a1b9a", "#00838f", "#ef6c00", "#5d4037"];

    public static string Render(ReadinessReport r)
    {
        var s = new StringBuilder();
        var span = Math.Max(1, (r.Until - r.Since).TotalSeconds);
        double X(DateTimeOffset t) => Left + (PlotWidth * Math.Clamp((t - r.Since).TotalSeconds / span, 0, 1));
        const int height = 420;
        s.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        s.Append(Inv($"<title>Readiness of the link with {Esc(r.PeerName)}</title>\n"));
        s.Append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        var uptime = r.Link.UptimePercent is { } u ? Inv($"{u:0.00}% up") : "no link history";
        s.Append(Inv($"<text x=\"{Left}\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{Esc(r.PeerName)}: {uptime}, {r.Link.Failovers} failovers, {r.TestsSent.Tests + r.TestsReceived.Tests} line tests</text>\n"));
        s.Append(Inv($"<text x=\"{Left}\" y=\"40\" fill=\"#555\">{Stamp(r.Since)} to {Stamp(r.Until)}</text>\n"));

        // Band 1: state; band 2: path.
        s.Append(Inv($"<text x=\"{Left - 8}\" y=\"72\" text-anchor=\"end\">state</text>\n"));
        s.Append(Inv($"<text x=\"{Left - 8}\" y=\"100\" text-anchor=\"end\">path</text>\n"));
        foreach (var seg in r.Timeline)
        {
            var x = X(seg.From);
            var w = Math.Max(0.5, X(seg.To) - x);
            var colour = StateColours.GetValueOrDefault(seg.State, "#bdbdbd");
            s.Append(Inv($"<rect class=\"state {seg.State}\" x=\"{x:0.##}\" y=\"58\" width=\"{w:0.##}\" height=\"20\" fill=\"{colour}\"><title>{seg.State} {Stamp(seg.From)} to {Stamp(seg.To)}</title></rect>\n"));
            if (seg.PathIndex is { } p && seg.State != "down")
            {
                var pc = PathColours[Math.Abs(p) % PathColours.Length];
                s.Append(Inv($"<rect class=\"path\" x=\"{x:0.##}\" y=\"88\" width=\"{w:0.##}\" height=\"14\" fill=\"{pc}\"><title>path #{p} {Esc(seg.Endpoint ?? "")}</title></rect>\n"));
            }
        }
        var legendX = Left;
        foreach (var (state, colour) in StateColours)
        {
            s.Append(Inv($"<rect x=\"{legendX}\" y=\"112\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{legendX + 14}\" y=\"121\">{state}</text>\n"));
            legendX += 90;
        }
        foreach (var p in r.Link.Paths)
        {
            var pc = PathColours[Math.Abs(p.Index) % PathColours.Length];
            var text = Inv($"#{p.Index} {p.Endpoint} ({p.Percent:0.#}%)");
            s.Append(Inv($"<rect x=\"{legendX}\" y=\"112\" width=\"10\" height=\"10\" fill=\"{pc}\"/><text x=\"{legendX + 14}\" y=\"121\">{Esc(text)}</text>\n"));
            // About 7 px a character at 12 px sans-serif, and a gap.
            legendX += 30 + (7 * text.Length);
        }

        // Answer times, seconds, against the window; missed tests sit on the top line.
        const int top = 150;
        const int bottom = height - 40;
        var max = Math.Max(1, r.Answers.Select(a => Math.Max(a.AnswerSeconds ?? 0, a.WindowSeconds)).DefaultIfEmpty(60).Max() * 1.1);
        double Y(double seconds) => bottom - ((bottom - top) * Math.Min(seconds, max) / max);
        s.Append(Inv($"<line x1=\"{Left}\" y1=\"{bottom}\" x2=\"{Width - Right}\" y2=\"{bottom}\" stroke=\"#333\"/>\n"));
        s.Append(Inv($"<line x1=\"{Left}\" y1=\"{top}\" x2=\"{Left}\" y2=\"{bottom}\" stroke=\"#333\"/>\n"));
        s.Append(Inv($"<text x=\"{Left - 8}\" y=\"{top + 4}\" text-anchor=\"end\">{max:0} s</text>\n"));
        s.Append(Inv($"<text x=\"{Left - 8}\" y=\"{bottom + 4}\" text-anchor=\"end\">0 s</text>\n"));
        s.Append(Inv($"<text x=\"{Left}\" y=\"{bottom + 22}\" fill=\"#555\">answer time of each line test (circles: they answered ours; squares: we answered theirs; crosses: missed; hollow: still open; dashes: window)</text>\n"));
        foreach (var a in r.Answers)
        {
            var x = X(a.SentAt);
            var wy = Y(a.WindowSeconds);
            s.Append(Inv($"<line class=\"window\" x1=\"{x - 6:0.##}\" y1=\"{wy:0.##}\" x2=\"{x + 6:0.##}\" y2=\"{wy:0.##}\" stroke=\"#888\" stroke-dasharray=\"2,2\"/>\n"));
            var colour = a.Outcome switch { "answered" => "#2e7d32", "late" => "#f9a825", "missed" => "#c62828", _ => "#757575" };
            var label = $"{a.Outcome} {Stamp(a.SentAt)}" + (a.AnswerSeconds is { } secs ? Inv($" in {secs:0} s") : "");
            if (a.AnswerSeconds is { } sec)
            {
                var y = Y(sec);
                s.Append(a.Direction == "out"
                    ? Inv($"<circle class=\"answer {a.Outcome}\" cx=\"{x:0.##}\" cy=\"{y:0.##}\" r=\"4\" fill=\"{colour}\"><title>{label}</title></circle>\n")
                    : Inv($"<rect class=\"answer {a.Outcome}\" x=\"{x - 4:0.##}\" y=\"{y - 4:0.##}\" width=\"8\" height=\"8\" fill=\"{colour}\"><title>{label}</title></rect>\n"));
            }
            else if (a.Outcome != "missed")
            {
                s.Append(Inv($"<circle class=\"answer {a.Outcome}\" cx=\"{x:0.##}\" cy=\"{Y(0):0.##}\" r=\"4\" fill=\"none\" stroke=\"{colour}\"><title>{label}</title></circle>\n"));
            }
            else
            {
                var y = top;
                s.Append(Inv($"<path class=\"answer {a.Outcome}\" d=\"M{x - 4:0.##},{y - 4:0.##} L{x + 4:0.##},{y + 4:0.##} M{x + 4:0.##},{y - 4:0.##} L{x - 4:0.##},{y + 4:0.##}\" stroke=\"{colour}\" stroke-width=\"2\"><title>{label}</title></path>\n"));
            }
        }
        s.Append("</svg>\n");
        return s.ToString();
    }

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);

    private static string Esc(string text) => SecurityElement.Escape(text) ?? "";

    private static string Inv(FormattableString f) => f.ToString(CultureInfo.InvariantCulture);
}
