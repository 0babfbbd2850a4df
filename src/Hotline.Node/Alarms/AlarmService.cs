using System.Text.Json;
using Hotline.Core.Messages;
using Hotline.Node.Hosting;
using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hotline.Node.Alarms;

/// <summary>
/// Watches every deadline. A passed deadline raises one alarm (stored, so it fires once and
/// survives restarts) that walks the escalation chain, step by step, until the acknowledgement
/// clears it. Our own messages: delivery and acknowledgement deadlines. Theirs: FLASH and
/// IMMEDIATE left unacknowledged here escalate on this node's own chain.
/// </summary>
public sealed partial class AlarmService(
    IHotlineStore store, PeerDirectory directory, LinkPolicy policy, PendingService pending, EventHub events,
    HookDispatcher hooks, NodeConfig config, TimeProvider time, ILogger<AlarmService> logger) : BackgroundService
{
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private static readonly Precedence[] EscalatedWhenIncoming = [Precedence.Flash, Precedence.Immediate];
    private readonly SemaphoreSlim _checking = new(1, 1);
    private HashSet<long> _open = [];
    // Checks' state, touched only inside _checking.
    private readonly Dictionary<(string Peer, Precedence Precedence, string Kind), DateTimeOffset> _checkedUpTo = [];
    private DateTimeOffset _lastCheck;

    /// <summary>At most this many alarms a check raises for one peer, precedence and kind (the rest at the next).</summary>
    public const int RaisedPerCheck = 200;

    /// <summary>How far behind the present a mark stays: time enough for any append stamped before it to have committed.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        do
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogCheckFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass: raise what is newly overdue, escalate what is due, report what was cleared.</summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        await _checking.WaitAsync(ct);
        try
        {
            await CheckOnceAsync(ct);
        }
        finally
        {
            _checking.Release();
        }
    }

    private async Task CheckOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now < _lastCheck)
        {
            _checkedUpTo.Clear(); // the clock went back: a new append may be stamped below a mark
        }
        _lastCheck = now;
        foreach (var peer in directory.All)
        {
            var deadlines = policy.Deadlines(peer);
            foreach (var precedence in Enum.GetValues<Precedence>())
            {
                var d = deadlines.For(precedence);
                await CheckOursAsync(peer, precedence, AlarmKinds.DeliveryOverdue, d.Deliver, now, ct);
                await CheckOursAsync(peer, precedence, AlarmKinds.AcknowledgementOverdue, d.Acknowledge, now, ct);
                if (EscalatedWhenIncoming.Contains(precedence))
                {
                    // Theirs are stamped by the peer's clock, and one held up in an outage arrives
                    // older than any mark: always read from the start (FLASH and IMMEDIATE only).
                    await RaiseAsync(store.FindOverdue(peer.Id, Direction.Inbound, precedence, AlarmKinds.AcknowledgementOverdue,
                        DateTimeOffset.MinValue, now - d.Acknowledge, d.Acknowledge, RaisedPerCheck), peer, now, ct);
                }
            }
        }
        var open = store.ListAlarms(openOnly: true);
        foreach (var alarm in open)
        {
            await EscalateAsync(alarm, now, ct);
        }
        var stillOpen = open.Select(a => a.Id).ToHashSet();
        var cleared = _open.Except(stillOpen).ToList();
        if (cleared.Count > 0)
        {
            foreach (var alarm in store.ListAlarms(openOnly: false).Where(a => cleared.Contains(a.Id)))
            {
                events.Publish(new NodeEvent { Type = EventTypes.AlarmCleared, At = alarm.ClearedAt ?? now, Peer = alarm.PeerId, Id = alarm.MessageId, By = alarm.ClearedBy, Alarm = View(alarm) });
            }
        }
        _open = stillOpen;
    }

    /// <remarks>
    /// Our own messages are stamped by our clock when appended, so once a check has found every one
    /// created up to a time delivered, acknowledged or given its alarm (all three for good), later
    /// checks read only those created after it. Without the mark each check read every unanswered
    /// message past the deadline again, the delivered ones included: after a flood of a million left
    /// unanswered, 1.8 s a check, every second.
    /// </remarks>
    private async Task CheckOursAsync(PeerRecord peer, Precedence precedence, string kind, TimeSpan deadline, DateTimeOffset now, CancellationToken ct)
    {
        var key = (peer.Id, precedence, kind);
        var from = _checkedUpTo.GetValueOrDefault(key, DateTimeOffset.MinValue);
        var before = now - deadline;
        var found = store.FindOverdue(peer.Id, Direction.Outbound, precedence, kind, from, before, deadline, RaisedPerCheck);
        await RaiseAsync(found, peer, now, ct);
        // Found oldest first: every candidate up to the last one's time now has its alarm (up to
        // the deadline's edge when fewer than the limit came back).
        var done = found.Count < RaisedPerCheck
            ? before
            : DateTimeOffset.FromUnixTimeMilliseconds(found[^1].Message.Envelope.Created.ToUnixTimeMilliseconds() - 1);
        var upTo = done < now - Settle ? done : now - Settle;
        if (upTo > from)
        {
            _checkedUpTo[key] = upTo;
        }
    }

    private async Task RaiseAsync(IReadOnlyList<OverdueCandidate> candidates, PeerRecord peer, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var c in candidates)
        {
            var reason = pending.Reason(c.Message, peer, now);
            var alarm = await store.RaiseAlarmAsync(c.Message.Envelope.Id, c.Message.Direction, peer.Id, c.Kind, reason, ct);
            if (alarm is null)
            {
                continue;
            }
            LogRaised(logger, alarm.Id, alarm.Kind, c.Message.Envelope.Precedence.ToWire(), peer.Name);
            events.Publish(new NodeEvent { Type = EventTypes.AlarmRaised, At = alarm.RaisedAt, Peer = peer.Id, Id = alarm.MessageId, Detail = reason, Alarm = View(alarm) });
        }
    }

    private async Task EscalateAsync(Alarm alarm, DateTimeOffset now, CancellationToken ct)
    {
        var steps = config.Escalation.Steps;
        for (var step = alarm.Step + 1; step < steps.Count; step++)
        {
            if (now < alarm.RaisedAt + TimeSpan.FromSeconds(steps[step].AfterSeconds))
            {
                return;
            }
            var message = store.FindMessage(alarm.MessageId, alarm.Direction);
            var payload = JsonSerializer.Serialize(new HookPayload
            {
                Event = "hotline.alarm",
                AlarmId = alarm.Id,
                Kind = alarm.Kind,
                Step = step,
                StepName = steps[step].Name,
                Node = config.Name,
                Peer = directory.FindById(alarm.PeerId)?.Name ?? alarm.PeerId,
                MessageId = alarm.MessageId,
                Direction = alarm.Direction == Direction.Outbound ? "out" : "in",
                Precedence = message?.Envelope.Precedence.ToWire(),
                Channel = message?.Envelope.Channel,
                Dtg = message is null ? null : Dtg.Format(message.Envelope.Created),
                Reason = alarm.Reason,
                RaisedAt = alarm.RaisedAt,
            }, HookPayload.Json);
            var hooksOfStep = steps[step].Hooks.Where(h => config.Escalation.Hooks.ContainsKey(h)).Select(h => (h, payload)).ToList();
            await store.AdvanceAlarmAsync(alarm.Id, step, hooksOfStep, ct);
            LogEscalated(logger, alarm.Id, step, steps[step].Name);
            events.Publish(new NodeEvent
            {
                Type = EventTypes.AlarmEscalated,
                At = now,
                Peer = alarm.PeerId,
                Id = alarm.MessageId,
                Detail = steps[step].Name,
                Alarm = View(alarm with { Step = step, StepAt = now }),
            });
            if (hooksOfStep.Count > 0)
            {
                hooks.Wake();
            }
        }
    }

    public override void Dispose()
    {
        _checking.Dispose();
        base.Dispose();
    }

    public static object View(Alarm a) => new
    {
        id = a.Id,
        messageId = a.MessageId,
        direction = a.Direction == Direction.Outbound ? "out" : "in",
        peer = a.PeerId,
        kind = a.Kind,
        raisedAt = a.RaisedAt,
        step = a.Step,
        stepAt = a.StepAt,
        reason = a.Reason,
        clearedAt = a.ClearedAt,
        clearedBy = a.ClearedBy,
    };

    [LoggerMessage(1300, LogLevel.Warning, "Alarm {AlarmId} raised: {Kind} for a {Precedence} message with {Peer}")]
    private static partial void LogRaised(ILogger logger, long alarmId, string kind, string precedence, string peer);

    [LoggerMessage(1301, LogLevel.Warning, "Alarm {AlarmId} escalated to step {Step} ({StepName})")]
    private static partial void LogEscalated(ILogger logger, long alarmId, int step, string stepName);

    [LoggerMessage(1302, LogLevel.Error, "Deadline check failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception e);
}

/// <summary>The JSON a hook receives. It never carries the message text.</summary>
public sealed record HookPayload
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public required string Event { get; init; }
    public required long AlarmId { get; init; }
    public required string Kind { get; init; }
    public required int Step { get; init; }
    public required string StepName { get; init; }
    public required string Node { get; init; }
    public required string Peer { get; init; }
    public required Guid MessageId { get; init; }
    public required string Direction { get; init; }
    public string? Precedence { get; init; }
    public string? Channel { get; init; }
    public string? Dtg { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset RaisedAt { get; init; }
}
