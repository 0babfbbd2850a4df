using System.Text.Json;
using Hotline.Node.Alarms;
using Hotline.Node.Hosting;
using Hotline.Protocol;
using Hotline.Storage;
using Hotline.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Hotline.Node.Tests.Alarms;

/// <summary>Deadlines on a fake clock, with real nodes, a real webhook receiver and real restarts.</summary>
public sealed class EscalationTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();

    private void Step(string what) => output.WriteLine($"{_watch.Elapsed.TotalSeconds,6:0.00} s  {what}");

    private const string Secret = "test-secret";

    private static TestNodeOptions Options(FakeTimeProvider clock, string hookUrl, params (string Name, double After)[] steps) => new()
    {
        Time = clock,
        Configure = c => c with
        {
            Escalation = new EscalationConfig
            {
                Steps = steps.Select(s => new EscalationStep { Name = s.Name, AfterSeconds = s.After, Hooks = ["web"] }).ToArray(),
                Hooks = new Dictionary<string, HookConfig> { ["web"] = new() { Webhook = new WebhookConfig { Url = hookUrl, Secret = Secret } } },
            },
        },
    };

    [Fact]
    public async Task An_unacknowledged_flash_alarms_once_escalates_in_order_across_a_restart_and_is_cleared_by_the_acknowledgement()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sink = await WebhookSink.StartAsync();
        await using var cluster = await TwoNodeCluster.StartAsync(new ClusterOptions
        {
            Node = Options(clock, sink.Url, ("duty operator", 0), ("watch officer", 120), ("commander", 300)),
        });
        var (a, b) = (cluster.A, cluster.B);
        var sent = (await a.SendAsync(b, "navy", "Unidentified submarine surfaced at 34N 125E", "FLASH")).Value!;
        await cluster.WaitAllDeliveredAsync();

        clock.Advance(TimeSpan.FromMinutes(9));
        await CheckAsync(a);
        Assert.Empty(a.Store.ListAlarms(openOnly: true));

        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await CheckAsync(a);
        await CheckAsync(a);
        var alarm = Assert.Single(a.Store.ListAlarms(openOnly: true));
        Assert.Equal(AlarmKinds.AcknowledgementOverdue, alarm.Kind);
        Assert.Equal(sent.Id, alarm.MessageId);
        Assert.Equal(0, alarm.Step);
        Assert.Contains("has not answered", alarm.Reason, StringComparison.Ordinal);

        // The receiving side escalates its own unanswered FLASH too.
        await CheckAsync(b);
        var incoming = Assert.Single(b.Store.ListAlarms(openOnly: true));
        Assert.Equal(Direction.Inbound, incoming.Direction);

        // Step 0 reached the hook and A recorded it (a notification in flight when a node stops is
        // sent again after it starts: at least once).
        await Poll.UntilAsync(() => StepsNotified(sink, a.Name).Count == 1 && a.Store.DueNotifications(clock.GetUtcNow(), 100).Count == 0,
            "A's first notification delivered and recorded", TimeSpan.FromSeconds(30));
        await a.RestartAsync();
        await CheckAsync(a);
        Assert.Equal(0, Assert.Single(a.Store.ListAlarms(openOnly: false)).Step);

        clock.Advance(TimeSpan.FromMinutes(2));
        await CheckAsync(a);
        Assert.Equal(1, Assert.Single(a.Store.ListAlarms(openOnly: true)).Step);
        clock.Advance(TimeSpan.FromMinutes(3));
        await CheckAsync(a);
        Assert.Equal(2, Assert.Single(a.Store.ListAlarms(openOnly: true)).Step);

        // Node A told the hook about steps 0, 1, 2 of its alarm, each once, in order.
        await Poll.UntilAsync(() => StepsNotified(sink, a.Name).Count >= 3, "three notifications from A", TimeSpan.FromSeconds(30));
        Assert.Equal([0, 1, 2], StepsNotified(sink, a.Name));

        var acked = await b.Messages.RespondAsync(sent.Id, EnvelopeKind.Acknowledgement, "Cdr Li", "Seen, tracking", default);
        Assert.Equal(200, acked.Status);
        await Poll.UntilAsync(() => a.Store.ListAlarms(openOnly: true).Count == 0, "A's alarm to clear", TimeSpan.FromSeconds(30));
        var cleared = Assert.Single(a.Store.ListAlarms(openOnly: false));
        Assert.Equal("Cdr Li (peer)", cleared.ClearedBy);
        Assert.Equal("Cdr Li", Assert.Single(b.Store.ListAlarms(openOnly: false)).ClearedBy);
        var message = a.Store.FindMessage(sent.Id)!;
        Assert.Equal("Cdr Li", message.AcknowledgedBy);
        Assert.Equal("Seen, tracking", message.Reply);
    }

    [Fact]
    public async Task A_failing_webhook_is_retried_until_it_succeeds_and_every_attempt_is_signed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sink = await WebhookSink.StartAsync(failFirst: 2);
        await using var cluster = await TwoNodeCluster.StartAsync(new ClusterOptions { Node = Options(clock, sink.Url, ("duty operator", 0)) });
        Step("cluster up");
        await cluster.A.SendAsync(cluster.B, "air", "Request immediate call", "IMMEDIATE");
        await cluster.WaitAllDeliveredAsync();
        Step("delivered");

        clock.Advance(TimeSpan.FromMinutes(31));
        await CheckAsync(cluster.A);
        // The dispatcher retries after 1 s, then 2 s: move the clock until the third attempt succeeds.
        await Poll.UntilAsync(() =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(250));
            return StepsNotified(sink, cluster.A.Name, succeededOnly: true).Count == 1;
        }, "the webhook to succeed", TimeSpan.FromSeconds(30));
        Step("webhook succeeded");

        var calls = sink.Calls.Where(c => From(c, cluster.A.Name)).ToList();
        Assert.Equal([500, 500, 200], calls.Select(c => c.AnsweredWith));
        foreach (var call in calls)
        {
            var timestamp = call.Headers[HookDispatcher.TimestampHeader];
            Assert.Equal("sha256=" + HookDispatcher.Sign(Secret, timestamp, call.Body), call.Headers[HookDispatcher.SignatureHeader]);
            Assert.NotEqual("sha256=" + HookDispatcher.Sign("wrong", timestamp, call.Body), call.Headers[HookDispatcher.SignatureHeader]);
        }
        Assert.DoesNotContain("Request immediate call", calls[0].Body, StringComparison.Ordinal);
        // The dispatcher records the attempt after the sink has answered: wait for that write.
        await Poll.UntilAsync(() => cluster.A.Store.ListNotifications().SingleOrDefault()?.DoneAt is not null, "the successful attempt to be recorded");
        var notification = Assert.Single(cluster.A.Store.ListNotifications());
        Assert.Equal(3, notification.Attempts);
        Assert.NotNull(notification.DoneAt);

    }

    private static Task CheckAsync(InProcessNode node) => node.Service<AlarmService>().CheckAsync(default);

    private static bool From(WebhookSink.Call c, string node) =>
        JsonDocument.Parse(c.Body).RootElement.GetProperty("node").GetString() == node;

    private static List<int> StepsNotified(WebhookSink sink, string node, bool succeededOnly = false) =>
        sink.Calls.Where(c => From(c, node) && (!succeededOnly || c.AnsweredWith == 200))
            .Select(c => JsonDocument.Parse(c.Body).RootElement.GetProperty("step").GetInt32()).ToList();
}
