using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Hotline.Node.Link;
using Hotline.Node.Supervision;
using Hotline.Storage.Sqlite;

namespace Hotline.Cli.Commands;

/// <summary><c>hotline report readiness</c>: how ready a link was, as a table, JSON or an SVG chart.</summary>
internal static class ReportCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var peer = new Option<string>("--peer") { Description = "The peer whose link to report on.", Required = true };
        var since = new Option<string>("--since") { Description = "The period: 30d, 12h, 2w, or a date (UTC).", DefaultValueFactory = _ => "30d" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON, for machines." };
        var svg = new Option<string?>("--svg") { Description = "Also write a chart of uptime and answer times to this SVG file." };
        var readiness = new Command("readiness",
            "Line tests (answered on time, median and worst answer time), link uptime, time on each path, failovers and the longest outage. "
            + "Reads the database directly when the node is stopped.") { peer, since, json, svg };
        readiness.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            var report = await LoadAsync(folder, r.GetValue(peer)!, r.GetValue(since)!, ct);
            if (r.GetValue(svg) is { } file)
            {
                await File.WriteAllTextAsync(file, ReadinessChart.Render(report), ct);
            }
            Console.Write(r.GetValue(json) ? JsonSerializer.Serialize(report, Json) + "\n" : Table(report));
            return 0;
        });
        return new Command("report", "Reports from the node's record.") { readiness };
    }

    private static async Task<ReadinessReport> LoadAsync(Node.Hosting.DataFolder folder, string peer, string since, CancellationToken ct)
    {
        if (ApiClient.TryReadRuntime(folder) is not null)
        {
            using var api = ApiClient.For(folder);
            var answer = await api.GetAsync($"/api/reports/readiness?peer={Uri.EscapeDataString(peer)}&since={Uri.EscapeDataString(since)}", ct);
            return answer.Deserialize<ReadinessReport>(Json)!;
        }
        var now = DateTimeOffset.UtcNow;
        if (!ReportPeriod.TryParseSince(since, now, out var from))
        {
            throw new CliError($"'{since}' is not a period: write it as 30d, 12h, 2w or a date such as 2026-11-01", 2);
        }
        using var identity = folder.LoadIdentity();
        await using var store = SqliteStore.Open(folder.DatabaseFile, identity);
        var directory = new PeerDirectory(store);
        directory.Reload();
        var p = directory.Resolve(peer) ?? throw new CliError($"unknown peer '{peer}': see 'hotline peer list'");
        return ReadinessReport.Build(store, p, from, now);
    }

    /// <summary>The report as a person reads it.</summary>
    public static string Table(ReadinessReport r)
    {
        var s = new StringBuilder();
        s.Append(Inv($"Readiness of the link with {r.PeerName} ({r.Peer})\nfrom {Stamp(r.Since)} to {Stamp(r.Until)}\n\n"));
        s.Append(Inv($"{"Line tests",-34}{"sent by us",14}{"sent by them",14}\n"));
        void Row(string label, string ours, string theirs) => s.Append(Inv($"  {label,-32}{ours,14}{theirs,14}\n"));
        var (a, b) = (r.TestsSent, r.TestsReceived);
        Row("tests", Num(a.Tests), Num(b.Tests));
        Row("answered on time", Num(a.AnsweredOnTime), Num(b.AnsweredOnTime));
        Row("answered late", Num(a.Late), Num(b.Late));
        Row("missed", Num(a.Missed), Num(b.Missed));
        Row("still open", Num(a.Pending), Num(b.Pending));
        Row("answered on time %", Percent(a.OnTimePercent), Percent(b.OnTimePercent));
        Row("median answer time", Duration(a.MedianAnswerSeconds), Duration(b.MedianAnswerSeconds));
        Row("worst answer time", Duration(a.WorstAnswerSeconds), Duration(b.WorstAnswerSeconds));
        s.Append("\nLink\n");
        var l = r.Link;
        void Line(string label, string value) => s.Append(Inv($"  {label,-32}{value}\n"));
        Line("uptime", Percent(l.UptimePercent) + (l.DegradedSeconds > 0 ? $" (degraded {Duration(l.DegradedSeconds)})" : ""));
        Line("down", Duration(l.DownSeconds));
        if (l.UnknownSeconds > 0)
        {
            Line("no record", Duration(l.UnknownSeconds));
        }
        foreach (var p in l.Paths)
        {
            Line(Inv($"on path #{p.Index}"), Inv($"{Duration(p.Seconds)} ({p.Percent:0.0} %)  {p.Endpoint}"));
        }
        Line("failovers", Inv($"{l.Failovers} (failbacks {l.Failbacks})"));
        Line("outages", Num(l.Outages));
        Line("longest outage", l.LongestOutageSeconds is { } o ? $"{Duration(o)} from {Stamp(l.LongestOutageFrom!.Value)}" : "none");
        return s.ToString();
    }

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Percent(double? p) => p is { } v ? Inv($"{v:0.00} %") : "-";

    /// <summary>Whole seconds, as 4d03h, 2h05m, 7m02s or 48s.</summary>
    public static string Duration(double? seconds) => seconds is { } v ? TestCommand.Span(v) : "-";

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString f) => f.ToString(CultureInfo.InvariantCulture);
}
