using System.CommandLine;
using System.Text.Json;

namespace Hotline.Cli.Commands;

/// <summary><c>hotline test</c>: line tests by hand, answering the peer's, the log, and each link's schedule.</summary>
internal static class TestCommand
{
    public static Command Create()
    {
        var peer = new Argument<string?>("PEER") { Description = "Start a line test of this peer now.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("test", "Line tests: 'hotline test PEER' starts one now; a person on the other side must answer it in time.")
        {
            peer, CommonOptions.As, Answer(), List(), Schedule(),
        };
        command.SetAction(async (r, ct) =>
        {
            if (r.GetValue(peer) is not { } name)
            {
                throw new CliError("name the peer to test ('hotline test PEER'), or use 'hotline test list' or 'hotline test answer ID'", 2);
            }
            var folder = CommonOptions.InitialisedFolder(r);
            using var api = ApiClient.For(folder, actor: CommonOptions.Actor(r));
            var t = await api.PostAsync("/api/tests", new { peer = name }, ct);
            Console.WriteLine($"line test {t.GetProperty("id").GetString()} sent to {t.GetProperty("peerName").GetString()} at {t.GetProperty("dtg").GetString()}; "
                + $"a person there must answer within {Span(t.GetProperty("windowSeconds").GetDouble())}");
            return 0;
        });
        return command;
    }

    private static Command Answer()
    {
        var id = new Argument<Guid>("ID") { Description = "The id of the peer's line test (see 'hotline test list')." };
        var command = new Command("answer", "Answer a line test the other side sent, as the person on duty.") { id, CommonOptions.As };
        command.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            using var api = ApiClient.For(folder, actor: CommonOptions.Actor(r));
            var t = await api.PostAsync($"/api/tests/{r.GetValue(id)}/answer", new { }, ct);
            Console.WriteLine($"answered line test {t.GetProperty("id").GetString()} from {t.GetProperty("peerName").GetString()} "
                + $"in {Span(t.GetProperty("answerSeconds").GetDouble())} as {t.GetProperty("answeredBy").GetString()}: {t.GetProperty("outcome").GetString()}");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var peer = new Option<string?>("--peer") { Description = "Only this peer's link." };
        var since = new Option<string>("--since") { Description = "Period to list: 7d, 24h, or a date.", DefaultValueFactory = _ => "7d" };
        var command = new Command("list", "The line-test log, both ways: sent, delivered, answered by whom and how fast, late or missed.") { peer, since };
        command.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            using var api = ApiClient.For(folder);
            var query = $"/api/tests?since={Uri.EscapeDataString(r.GetValue(since)!)}" + (r.GetValue(peer) is { } p ? $"&peer={Uri.EscapeDataString(p)}" : "");
            var tests = await api.GetAsync(query, ct);
            Console.WriteLine($"{"sent",-16} {"way",-4} {"peer",-20} {"started by",-12} {"outcome",-9} {"answered by",-16} {"after",-8} id");
            foreach (var t in tests.EnumerateArray())
            {
                Console.WriteLine(Format(t));
            }
            return 0;
        });
        return command;
    }

    internal static string Format(JsonElement t)
    {
        var answered = t.GetProperty("answeredBy").ValueKind == JsonValueKind.String ? t.GetProperty("answeredBy").GetString() : "-";
        var after = t.GetProperty("answerSeconds").ValueKind == JsonValueKind.Number ? Span(t.GetProperty("answerSeconds").GetDouble()) : "-";
        var way = t.GetProperty("direction").GetString() == "out" ? "out" : "in";
        var outcome = t.GetProperty("outcome").GetString()!;
        if (outcome == "pending" && t.GetProperty("deliveredAt").ValueKind == JsonValueKind.String && way == "out")
        {
            outcome = "delivered";
        }
        return $"{t.GetProperty("dtg").GetString(),-16} {way,-4} {t.GetProperty("peerName").GetString(),-20} {t.GetProperty("startedBy").GetString(),-12} "
            + $"{outcome,-9} {answered,-16} {after,-8} {t.GetProperty("id").GetString()}";
    }

    private static Command Schedule()
    {
        var peer = new Argument<string>("PEER") { Description = "The peer whose link's schedule to show or change." };
        var cron = new Option<string?>("--cron") { Description = "When to test: a cron expression of five fields, e.g. \"0 9,16 * * *\" (09:00 and 16:00)." };
        var zone = new Option<string?>("--zone") { Description = "The time zone the schedule is read in, e.g. Asia/Seoul." };
        var window = new Option<int?>("--window") { Description = "Seconds a person has to answer (default 300)." };
        var enable = new Option<bool?>("--enabled") { Description = "true or false: turn scheduled tests of this link on or off." };
        var command = new Command("schedule", "Show or change when a link is tested, in which time zone, and the answer window.") { peer, cron, zone, window, enable };
        command.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            using var api = ApiClient.For(folder);
            var path = $"/api/peers/{Uri.EscapeDataString(r.GetValue(peer)!)}/line-tests";
            var change = r.GetValue(cron) is not null || r.GetValue(zone) is not null || r.GetValue(window) is not null || r.GetValue(enable) is not null;
            var s = change
                ? await api.SendAsync(HttpMethod.Put, path, new { schedule = r.GetValue(cron), timeZone = r.GetValue(zone), answerWithinSeconds = r.GetValue(window), enabled = r.GetValue(enable) }, ct)
                : await api.GetAsync(path, ct);
            var next = s.GetProperty("next").ValueKind == JsonValueKind.String ? s.GetProperty("next").GetDateTimeOffset().ToString("yyyy-MM-dd HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture) : "none";
            Console.WriteLine($"line tests {(s.GetProperty("enabled").GetBoolean() ? "on" : "off")}: '{s.GetProperty("schedule").GetString()}' in {s.GetProperty("timeZone").GetString()}, "
                + $"answer within {Span(s.GetProperty("answerWithinSeconds").GetInt32())}; next {next}");
            return 0;
        });
        return command;
    }

    internal static string Span(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        return t.TotalDays >= 1 ? $"{(int)t.TotalDays}d{t.Hours:00}h"
            : t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m"
            : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:00}s"
            : $"{t.Seconds}s";
    }
}
