using System.Security.Cryptography;
using System.Text.Json;
using System.Xml.Linq;
using Hotline.Core.Identity;
using Hotline.Node.Hosting;
using Hotline.Node.Supervision;
using Hotline.Storage;
using Hotline.Storage.Sqlite;
using Hotline.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Hotline.Node.Tests.Supervision;

public sealed class ReadinessReportTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Every_figure_of_the_report_matches_a_scripted_history()
    {
        using var temp = new TempFolder("report");
        using var me = NodeIdentity.Create();
        using var peer = NodeIdentity.Create();
        var clock = new FakeTimeProvider(ScriptedHistory.ClockStart(T0));
        await using var store = SqliteStore.Open(temp.Combine("hotline.db"), me, clock);
        var record = Peer(peer);
        await store.AddPeerAsync(record);
        await new ScriptedHistory(store, clock, me, peer, record).WriteAsync(T0);

        var r = ReadinessReport.Build(store, record, T0, T0 + ScriptedHistory.Length);
        output.WriteLine(JsonSerializer.Serialize(r with { Timeline = [], Answers = [] }));

        // Our tests: 5 in the period (one before it is left out): on time 60 s and 200 s, late 420 s, missed, still open.
        Assert.Equal(new LineTestFigures
        {
            Tests = 5,
            AnsweredOnTime = 2,
            Late = 1,
            Missed = 1,
            Pending = 1,
            OnTimePercent = 50,
            MedianAnswerSeconds = 200,
            WorstAnswerSeconds = 420,
        }, r.TestsSent);
        // Theirs: two, answered here in 30 s and 90 s.
        Assert.Equal(new LineTestFigures
        {
            Tests = 2,
            AnsweredOnTime = 2,
            Late = 0,
            Missed = 0,
            Pending = 0,
            OnTimePercent = 100,
            MedianAnswerSeconds = 60,
            WorstAnswerSeconds = 90,
        }, r.TestsReceived);

        var l = r.Link;
        Assert.Equal(847_790, l.UpSeconds);
        Assert.Equal(3_600, l.DegradedSeconds);
        Assert.Equal(12_610, l.DownSeconds);
        Assert.Equal(0, l.UnknownSeconds);
        Assert.Equal(100.0 * 851_390 / 864_000, l.UptimePercent!.Value, 9);
        Assert.Equal(2, l.Paths.Count);
        Assert.Equal((0, "https://path0.example:7443", 594_000.0), (l.Paths[0].Index, l.Paths[0].Endpoint, l.Paths[0].Seconds));
        Assert.Equal((1, "https://path1.example:7443", 257_390.0), (l.Paths[1].Index, l.Paths[1].Endpoint, l.Paths[1].Seconds));
        Assert.Equal(100.0 * 594_000 / 851_390, l.Paths[0].Percent, 9);
        Assert.Equal(2, l.Failovers);
        Assert.Equal(1, l.Failbacks);
        // Three outages: 10 s, 3 h (two causes, one outage), 30 min.
        Assert.Equal(3, l.Outages);
        Assert.Equal(10_800, l.LongestOutageSeconds);
        Assert.Equal(T0.AddDays(5), l.LongestOutageFrom);

        Assert.Equal(10, r.Timeline.Count);
        Assert.Equal(T0, r.Timeline[0].From);
        Assert.Equal(T0 + ScriptedHistory.Length, r.Timeline[^1].To);
        Assert.Equal(7, r.Answers.Count);

        // A period that starts before anything was recorded counts that time as unknown, not as down.
        var longer = ReadinessReport.Build(store, record, T0.AddDays(-5), T0 + ScriptedHistory.Length);
        Assert.Equal(TimeSpan.FromDays(5).TotalSeconds - 3600, longer.Link.UnknownSeconds);
        Assert.Equal(847_790 + 3600, longer.Link.UpSeconds);
    }

    [Fact]
    public async Task The_cli_prints_the_table_the_json_and_an_svg_chart_from_a_stopped_node()
    {
        using var temp = new TempFolder("report-cli");
        var folder = new DataFolder(temp.Combine("node"));
        folder.Initialise(new NodeConfig { Name = "Seoul" });
        using var peer = NodeIdentity.Create();
        var record = Peer(peer);
        var t0 = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()) - ScriptedHistory.Length;
        using (var me = folder.LoadIdentity())
        {
            var clock = new FakeTimeProvider(ScriptedHistory.ClockStart(t0));
            await using var store = SqliteStore.Open(folder.DatabaseFile, me, clock);
            await store.AddPeerAsync(record);
            await new ScriptedHistory(store, clock, me, peer, record).WriteAsync(t0);
        }
        var since = t0.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var svg = temp.Combine("readiness.svg");

        var table = await HotlineCli.RunAsync("report", "readiness", "--peer", "Beijing", "--since", since, "--svg", svg, "--data", folder.Path);
        output.WriteLine(table.ToString());
        Assert.Equal(0, table.ExitCode);
        string Line(string label) => table.StdoutLines.Single(l => l.StartsWith(label, StringComparison.Ordinal));
        Assert.Equal("tests 5 2", Squeeze(Line("tests")));
        Assert.Equal("answered on time % 50.00 % 100.00 %", Squeeze(Line("answered on time %")));
        Assert.Equal("median answer time 3m20s 1m00s", Squeeze(Line("median answer time")));
        Assert.Equal("worst answer time 7m00s 1m30s", Squeeze(Line("worst answer time")));
        Assert.StartsWith("uptime 98.54 %", Squeeze(Line("uptime")), StringComparison.Ordinal);
        Assert.Equal("failovers 2 (failbacks 1)", Squeeze(Line("failovers")));
        Assert.Equal("outages 3", Squeeze(Line("outages")));
        Assert.StartsWith("longest outage 3h00m from", Squeeze(Line("longest outage")), StringComparison.Ordinal);
        Assert.StartsWith("on path #0 6d21h", Squeeze(Line("on path #0")), StringComparison.Ordinal);

        var json = await HotlineCli.RunAsync("report", "readiness", "--peer", "Beijing", "--since", since, "--json", "--data", folder.Path);
        Assert.Equal(0, json.ExitCode);
        var report = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal(5, report.GetProperty("testsSent").GetProperty("tests").GetInt32());
        Assert.Equal(420, report.GetProperty("testsSent").GetProperty("worstAnswerSeconds").GetDouble());
        Assert.Equal(2, report.GetProperty("link").GetProperty("failovers").GetInt32());
        Assert.Equal(10_800, report.GetProperty("link").GetProperty("longestOutageSeconds").GetDouble());

        // The chart is well-formed SVG: a state band with every segment, and one mark per test.
        var doc = XDocument.Load(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", doc.Root!.Name);
        var classes = doc.Descendants().Select(e => (string?)e.Attribute("class")).OfType<string>().ToList();
        Assert.Equal(10, classes.Count(c => c.StartsWith("state ", StringComparison.Ordinal)));
        Assert.Equal(3, classes.Count(c => c == "state down"));
        Assert.Equal(7, classes.Count(c => c.StartsWith("answer ", StringComparison.Ordinal)));
        Assert.Equal(1, classes.Count(c => c == "answer late"));
        Assert.Equal(1, classes.Count(c => c == "answer missed"));

        var unknown = await HotlineCli.RunAsync("report", "readiness", "--peer", "Nobody", "--data", folder.Path);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("unknown peer 'Nobody'", unknown.Stderr, StringComparison.Ordinal);
    }

    private static string Squeeze(string line) => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static PeerRecord Peer(NodeIdentity peer) => new()
    {
        Key = peer.PublicKey,
        Name = "Beijing",
        TlsSha256 = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
        Endpoints = ["https://path0.example:7443", "https://path1.example:7443"],
        Channels = ["navy"],
        CardJson = "{}",
        Labels = [Hotline.Core.Messages.Label.Default],
        AddedAt = T0,
    };
}
