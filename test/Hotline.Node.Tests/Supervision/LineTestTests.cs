using System.Net.Http.Json;
using System.Text.Json;
using Hotline.Node.Alarms;
using Hotline.Node.Apis;
using Hotline.Node.Supervision;
using Hotline.Storage;
using Hotline.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Hotline.Node.Tests.Supervision;

/// <summary>Scheduled and manual line tests between two real nodes on a fake clock.</summary>
public sealed class LineTestTests(ITestOutputHelper output)
{
    private static readonly TimeZoneInfo Seoul = TimeZoneInfo.FindSystemTimeZoneById("Asia/Seoul");

    /// <summary>08:59 in Seoul on 28 November 2026.</summary>
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 23, 59, 0, TimeSpan.Zero);

    [Fact]
    public async Task Scheduled_tests_in_Seoul_time_are_logged_answered_late_and_missed_with_alarms_on_both_sides()
    {
        var clock = new FakeTimeProvider(Start);
        await using var cluster = await TwoNodeCluster.StartAsync(new ClusterOptions { Node = new TestNodeOptions { Time = clock } });
        var (a, b) = (cluster.A, cluster.B);

        // The Korean pattern, in the link's time zone, set on A's link with B through the API: 09:00 and 16:00 in Seoul.
        var korean = await a.Api.SendAsync(HttpMethod.Put, $"/api/peers/{b.Id}/line-tests",
            new { enabled = true, schedule = "0 9,16 * * *", timeZone = "Asia/Seoul", answerWithinSeconds = 300 }, default);
        Assert.Equal(Start.AddMinutes(1), korean.GetProperty("next").GetDateTimeOffset());
        var tests = a.Service<LineTestService>();
        var peerB = a.Service<Hotline.Node.Link.PeerDirectory>().FindById(b.Id)!;
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 16, 0, 0, TimeSpan.FromHours(9)), tests.NextScheduled(peerB, Start.AddMinutes(1)));
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.FromHours(9)), tests.NextScheduled(peerB, Start.AddHours(7).AddMinutes(1)));

        // The fake clock walks every second of a jump, so the run below uses three tests ten minutes apart, still in Seoul time.
        var schedule = await a.Api.SendAsync(HttpMethod.Put, $"/api/peers/{b.Id}/line-tests", new { schedule = "0,10,20 9 * * *" }, default);
        Assert.Equal("Asia/Seoul", schedule.GetProperty("timeZone").GetString());
        Assert.Equal(Start.AddMinutes(1), schedule.GetProperty("next").GetDateTimeOffset());

        // 09:00: the first test goes out; B's duty officer answers it two minutes later.
        clock.Advance(TimeSpan.FromMinutes(1));
        await TickAsync(a);
        var first = Assert.Single(Tests(a));
        Assert.Equal("schedule", first.StartedBy);
        await Poll.UntilAsync(() => Tests(b).Count == 1 && Tests(a)[0].DeliveredAt is not null, "B to receive the first test");
        clock.Advance(TimeSpan.FromMinutes(2));
        using (var http = Operator(b, "Lt Kim"))
        {
            using var response = await http.PostAsync($"/api/tests/{first.Id}/answer", null);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }
        await Poll.UntilAsync(() => Tests(a)[0].AnsweredBy is not null, "A to see the answer");

        // 09:10: the second test is answered seven minutes later, past its five-minute window.
        clock.Advance(Start.AddMinutes(11) - clock.GetUtcNow());
        await TickAsync(a);
        Assert.Equal(2, Tests(a).Count);
        var second = Tests(a)[1];
        await Poll.UntilAsync(() => Tests(b).Count == 2, "B to receive the second test");
        // And A to hold B's receipt: else the miss would be a fault on the line, not a silent peer.
        await Poll.UntilAsync(() => Tests(a)[1].DeliveredAt is not null, "A to know B received the second test");
        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        await TickAsync(a);
        await TickAsync(b);
        Assert.Equal(LineTestOutcomes.Missed, Tests(a)[1].Outcome);
        AssertOpenAlarm(a, second.Id, Direction.Outbound, "no one answered");
        AssertOpenAlarm(b, second.Id, Direction.Inbound, "not answered here");
        await a.Service<AlarmService>().CheckAsync(default);
        Assert.Equal(0, Assert.Single(a.Store.ListAlarms(openOnly: true)).Step);

        clock.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1));
        var cli = await HotlineCli.RunAsync("test", "answer", second.Id.ToString(), "--as", "Sgt Park", "--data", b.Folder.Path);
        output.WriteLine(cli.ToString());
        Assert.Equal(0, cli.ExitCode);
        Assert.Contains("in 7m00s as Sgt Park: late", cli.Stdout, StringComparison.Ordinal);
        await Poll.UntilAsync(() => Tests(a)[1].AnsweredBy is not null && a.Store.ListAlarms(openOnly: true).Count == 0, "A to see the late answer and clear its alarm");
        Assert.Equal("Sgt Park (peer)", a.Store.ListAlarms(openOnly: false).Single(x => x.MessageId == second.Id).ClearedBy);
        Assert.Equal("Sgt Park", b.Store.ListAlarms(openOnly: false).Single(x => x.MessageId == second.Id).ClearedBy);

        // 09:20: nobody answers.
        clock.Advance(Start.AddMinutes(21) - clock.GetUtcNow());
        await TickAsync(a);
        Assert.Equal(3, Tests(a).Count);
        var third = Tests(a)[2];
        await Poll.UntilAsync(() => Tests(b).Count == 3, "B to receive the third test");
        clock.Advance(TimeSpan.FromMinutes(4));
        await TickAsync(a);
        await TickAsync(b);
        Assert.Equal(LineTestOutcomes.Pending, Tests(a)[2].Outcome);
        Assert.Empty(a.Store.ListAlarms(openOnly: true));
        clock.Advance(TimeSpan.FromMinutes(1));
        await TickAsync(a);
        await TickAsync(b);
        AssertOpenAlarm(a, third.Id, Direction.Outbound, "no one answered");
        AssertOpenAlarm(b, third.Id, Direction.Inbound, "not answered here");

        // The log on each side tells the same story, from the signed envelopes.
        foreach (var node in new[] { a, b })
        {
            var log = Tests(node);
            Assert.Equal([LineTestOutcomes.Answered, LineTestOutcomes.Late, LineTestOutcomes.Missed], log.Select(t => t.Outcome));
            Assert.Equal(["Lt Kim", "Sgt Park", null], log.Select(t => t.AnsweredBy));
            Assert.Equal([120.0, 420.0, null], log.Select(t => t.AnswerSeconds));
            Assert.Equal([false, true, true], log.Select(t => t.Alarmed));
            Assert.All(log, t => Assert.NotNull(t.DeliveredAt));
            Assert.Equal(["09:00", "09:10", "09:20"], log.Select(t => TimeZoneInfo.ConvertTime(t.SentAt, Seoul).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)));
        }
        Assert.Equal(["out", "out", "out"], Tests(a).Select(t => t.Direction));
        Assert.Equal(["in", "in", "in"], Tests(b).Select(t => t.Direction));
        // Only the one missed test's alarms stay open.
        Assert.Equal(third.Id, Assert.Single(a.Store.ListAlarms(openOnly: true)).MessageId);
        Assert.Equal(third.Id, Assert.Single(b.Store.ListAlarms(openOnly: true)).MessageId);
    }

    [Fact]
    public async Task Either_side_starts_a_test_by_hand_from_the_cli_and_the_other_answers_it_through_the_api()
    {
        var clock = new FakeTimeProvider(Start);
        await using var cluster = await TwoNodeCluster.StartAsync(new ClusterOptions { Node = new TestNodeOptions { Time = clock } });
        var (a, b) = (cluster.A, cluster.B);

        var started = await HotlineCli.RunAsync("test", "Node A", "--as", "Maj Choi", "--data", b.Folder.Path);
        output.WriteLine(started.ToString());
        Assert.Equal(0, started.ExitCode);
        Assert.Contains("sent to Node A", started.Stdout, StringComparison.Ordinal);
        var test = Assert.Single(Tests(b));
        Assert.Equal("Maj Choi", test.StartedBy);
        await Poll.UntilAsync(() => Tests(a).Count == 1, "A to receive the test");

        clock.Advance(TimeSpan.FromSeconds(45));
        var answered = await Operator(a, "Capt Wang").PostAsync($"/api/tests/{test.Id}/answer", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, answered.StatusCode);
        var view = (await answered.Content.ReadFromJsonAsync<JsonElement>());
        Assert.Equal("answered", view.GetProperty("outcome").GetString());
        Assert.Equal(45, view.GetProperty("answerSeconds").GetDouble());

        // Answering twice, or answering one's own test, is refused with a reason.
        var again = await Operator(a, "Capt Wang").PostAsync($"/api/tests/{test.Id}/answer", null);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, again.StatusCode);
        var own = await Operator(b, "Maj Choi").PostAsync($"/api/tests/{test.Id}/answer", null);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, own.StatusCode);

        await Poll.UntilAsync(() => Tests(b)[0].AnsweredBy == "Capt Wang", "B to see the answer");
        var list = await HotlineCli.RunAsync("test", "list", "--data", b.Folder.Path);
        output.WriteLine(list.ToString());
        Assert.Contains(list.StdoutLines, l => l.Contains("Maj Choi", StringComparison.Ordinal) && l.Contains("answered", StringComparison.Ordinal)
            && l.Contains("Capt Wang", StringComparison.Ordinal) && l.Contains("45s", StringComparison.Ordinal));

        // The readiness report of a running node comes through the API, on the node's clock.
        var report = await HotlineCli.RunAsync("report", "readiness", "--peer", "Node A", "--since", "1d", "--data", b.Folder.Path);
        output.WriteLine(report.ToString());
        Assert.Equal(0, report.ExitCode);
        Assert.Contains(report.StdoutLines, l => l.StartsWith("tests ", StringComparison.Ordinal) && l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["tests", "1", "0"]);
        Assert.Contains(report.StdoutLines, l => l.StartsWith("median answer time ", StringComparison.Ordinal) && l.Contains("45s", StringComparison.Ordinal));
    }

    private static Task TickAsync(InProcessNode node) => node.Service<LineTestService>().TickAsync(default);

    private static List<LineTestView> Tests(InProcessNode node) => node.Service<LineTestService>().List(null, DateTimeOffset.MinValue).ToList();

    private static void AssertOpenAlarm(InProcessNode node, Guid testId, Direction direction, string reason)
    {
        var alarm = node.Store.ListAlarms(openOnly: true).Single(x => x.MessageId == testId);
        Assert.Equal(AlarmKinds.LineTestMissed, alarm.Kind);
        Assert.Equal(direction, alarm.Direction);
        Assert.Contains(reason, alarm.Reason, StringComparison.Ordinal);
    }

    private static HttpClient Operator(InProcessNode node, string name)
    {
        var http = new HttpClient { BaseAddress = node.Host.ApiUrl };
        http.DefaultRequestHeaders.Authorization = new("Bearer", node.Folder.LoadToken());
        http.DefaultRequestHeaders.Add(MessagesApi.OperatorHeader, name);
        return http;
    }
}
