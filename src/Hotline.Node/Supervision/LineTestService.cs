using System.Collections.Concurrent;
using Cronos;
using Hotline.Core.Envelopes;
using Hotline.Core.Messages;
using Hotline.Node.Alarms;
using Hotline.Node.Hosting;
using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Protocol;
using Hotline.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hotline.Node.Supervision;

/// <summary>
/// Line tests: a signed TEST envelope that a person on the other side must answer within a
/// window. Sends them on each link's schedule (cron, in the link's time zone) or by hand, takes
/// this side's answers to the peer's tests, and raises a stored alarm, which walks the escalation
/// chain, for every test of either side left unanswered past its window. Runs on the node's
/// injectable clock.
/// </summary>
public sealed partial class LineTestService(
    IHotlineStore store, ISupervisionStore supervision, PeerDirectory directory, LinkManager links, LinkPolicy policy, EventHub events,
    NodeConfig config, TimeProvider time, ILogger<LineTestService> logger) : BackgroundService
{
    public const string ScheduleActor = "schedule";
    private readonly SemaphoreSlim _ticking = new(1, 1);
    private readonly ConcurrentDictionary<string, CronExpression> _crons = new();
    // Occurrences before the node started are not caught up on the first start.
    private readonly DateTimeOffset _baseline = time.GetUtcNow();
    // A node with an unusable default schedule refuses to start rather than never test.
    private readonly bool _configChecked = Validate(config.LineTests) is { } error
        ? throw new InvalidDataException($"hotline.json 'lineTests': {error}")
        : true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(AlarmService.Tick, time);
        do
        {
            try
            {
                await TickAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogTickFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass: send the tests that are due, raise alarms for tests past their window. One pass at a time.</summary>
    public async Task TickAsync(CancellationToken ct)
    {
        await _ticking.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            foreach (var peer in directory.All)
            {
                await RunScheduleAsync(peer, now, ct);
            }
            await RaiseMissedAsync(now, ct);
        }
        finally
        {
            _ticking.Release();
        }
    }

    /// <summary>The line-test settings in force on a link.</summary>
    public LineTestSettings Settings(PeerRecord peer) => (peer.Settings.LineTests ?? new LineTestSettings()).Over(config.LineTests);

    /// <summary>Checks a schedule and a time zone; returns what is wrong, or null.</summary>
    public static string? Validate(LineTestSettings s)
    {
        if (s.Schedule is { } cron && !TryParse(cron, out _))
        {
            return $"'{cron}' is not a cron expression of five fields (minute hour day-of-month month day-of-week), e.g. '0 9,16 * * *'";
        }
        if (s.TimeZone is { } zone && !TryZone(zone, out _))
        {
            return $"'{zone}' is not a time zone this machine knows (use an IANA name such as Asia/Seoul)";
        }
        if (s.AnswerWithinSeconds is { } w && (w < 1 || w > 86_400))
        {
            return "the answer window must be between 1 second and 24 hours";
        }
        return null;
    }

    /// <summary>The next scheduled test after <paramref name="after"/>, or null when the link has none.</summary>
    public DateTimeOffset? NextScheduled(PeerRecord peer, DateTimeOffset after)
    {
        var s = Settings(peer);
        if (s.Enabled != true || Cron(s.Schedule!) is not { } cron || !TryZone(s.TimeZone!, out var zone))
        {
            return null;
        }
        return cron.GetNextOccurrence(after, zone);
    }

    private async Task RunScheduleAsync(PeerRecord peer, DateTimeOffset now, CancellationToken ct)
    {
        var last = supervision.LastScheduledLineTest(peer.Id) ?? _baseline;
        if (NextScheduled(peer, last) is not { } due || due > now)
        {
            return;
        }
        // After a stop, only the latest occurrence counts, and only while its window is still open.
        while (NextScheduled(peer, due) is { } later && later <= now)
        {
            due = later;
        }
        await supervision.SetLastScheduledLineTestAsync(peer.Id, due, ct);
        var window = TimeSpan.FromSeconds(Settings(peer).AnswerWithinSeconds!.Value);
        if (now - due > window)
        {
            LogSkipped(logger, peer.Name, due);
            return;
        }
        await SendAsync(peer, ScheduleActor, ct);
    }

    /// <summary>Starts a line test by hand (or from the schedule).</summary>
    public async Task<ApiResult<LineTestView>> StartTestAsync(string peerText, string startedBy, CancellationToken ct)
    {
        var peer = directory.Resolve(peerText);
        if (peer is null)
        {
            return ApiResult<LineTestView>.NotFound($"unknown peer '{peerText}'", "Use a peer name or id from 'hotline peer list'.");
        }
        var test = await SendAsync(peer, startedBy, ct);
        return test is null
            ? ApiResult<LineTestView>.Invalid($"no label is agreed on the link with {peer.Name}", "Agree a common label in both nodes' hotline.json 'labels'.")
            : ApiResult<LineTestView>.Ok(test, 202);
    }

    private async Task<LineTestView?> SendAsync(PeerRecord peer, string startedBy, CancellationToken ct)
    {
        var label = policy.Labels(peer).FirstOrDefault();
        if (label is null)
        {
            return null;
        }
        var seconds = Settings(peer).AnswerWithinSeconds!.Value;
        var queue = links.Find(peer.Id)?.Queue;
        var stored = await store.AppendOutboundAsync(peer, new EnvelopeDraft
        {
            Kind = EnvelopeKind.Test,
            Channel = "",
            // Urgent traffic's path: a queue of routine messages must not hide a working line.
            Precedence = Precedence.Immediate,
            Label = label,
            Text = $"Line test from {config.Name}: please answer within {Minutes(seconds)}.",
            Actor = startedBy,
            AnswerWithinSeconds = (uint)seconds,
        }, m => queue?.Add(m.Envelope), ct);
        LogSent(logger, stored.Envelope.Id, peer.Name, startedBy);
        var view = View(supervision.FindLineTest(stored.Envelope.Id)!, peer, time.GetUtcNow());
        events.Publish(new NodeEvent { Type = EventTypes.LineTestSent, At = stored.CommittedAt, Peer = peer.Id, Id = stored.Envelope.Id, By = startedBy, Test = view });
        return view;
    }

    /// <summary>A person on this side answers a line test the peer sent.</summary>
    public async Task<ApiResult<LineTestView>> AnswerAsync(Guid id, string actor, CancellationToken ct)
    {
        var test = supervision.FindLineTest(id);
        var peer = test is null ? null : directory.FindById(test.PeerId);
        if (test is null || peer is null)
        {
            return ApiResult<LineTestView>.NotFound($"no line test {id}", "Use an id from 'hotline test list'.");
        }
        if (test.Direction == Direction.Outbound)
        {
            return ApiResult<LineTestView>.Invalid($"line test {id} was sent by this node", $"A person at {peer.Name} answers it.");
        }
        var queue = links.Find(peer.Id)?.Queue;
        var result = await supervision.AnswerLineTestAsync(peer, id, actor, m => queue?.Add(m.Envelope), ct);
        if (result.Error is not null)
        {
            return ApiResult<LineTestView>.Conflict(result.Error, "Nothing to do: the test is answered.");
        }
        var now = time.GetUtcNow();
        var view = View(supervision.FindLineTest(id)!, peer, now);
        LogAnswered(logger, id, peer.Name, actor, view.Outcome);
        events.Publish(new NodeEvent { Type = EventTypes.LineTestAnswered, At = now, Peer = peer.Id, Id = id, By = actor, Test = view });
        return ApiResult<LineTestView>.Ok(view, 200);
    }

    public IReadOnlyList<LineTestView> List(PeerRecord? peer, DateTimeOffset since)
    {
        var now = time.GetUtcNow();
        return supervision.ListLineTests(peer?.Id, since)
            .Select(t => View(t, peer ?? directory.FindById(t.PeerId), now))
            .ToList();
    }

    private async Task RaiseMissedAsync(DateTimeOffset now, CancellationToken ct)
    {
        foreach (var test in supervision.FindMissedLineTests(now))
        {
            var peer = directory.FindById(test.PeerId);
            if (peer is null)
            {
                continue;
            }
            var reason = test.Direction == Direction.Outbound
                ? $"line test sent at {Dtg.Format(test.SentAt)} to {peer.Name} not answered within {Minutes(test.Window.TotalSeconds)}: "
                    + (test.DeliveredAt is { } d
                        ? $"their node received it at {Dtg.Format(d)}, no one answered."
                        : "it never reached their node (fault on the line or at the peer node).")
                : $"line test from {peer.Name} sent at {Dtg.Format(test.SentAt)} not answered here within {Minutes(test.Window.TotalSeconds)}.";
            var alarm = await store.RaiseAlarmAsync(test.Id, test.Direction, peer.Id, AlarmKinds.LineTestMissed, reason, ct);
            if (alarm is null)
            {
                continue;
            }
            LogMissed(logger, test.Id, peer.Name, alarm.Id);
            var view = View(test with { Alarmed = true }, peer, now);
            events.Publish(new NodeEvent { Type = EventTypes.AlarmRaised, At = alarm.RaisedAt, Peer = peer.Id, Id = test.Id, Detail = reason, Alarm = AlarmService.View(alarm) });
            events.Publish(new NodeEvent { Type = EventTypes.LineTestMissed, At = alarm.RaisedAt, Peer = peer.Id, Id = test.Id, Detail = reason, Test = view });
        }
    }

    public static LineTestView View(LineTestRecord t, PeerRecord? peer, DateTimeOffset now) => new()
    {
        Id = t.Id,
        Peer = t.PeerId,
        PeerName = peer?.Name,
        Direction = t.Direction == Direction.Outbound ? "out" : "in",
        SentAt = t.SentAt,
        Dtg = Dtg.Format(t.SentAt),
        StartedBy = t.StartedBy,
        WindowSeconds = t.Window.TotalSeconds,
        Deadline = t.Deadline,
        DeliveredAt = t.DeliveredAt,
        AnsweredAt = t.AnsweredAt,
        AnsweredBy = t.AnsweredBy,
        AnswerSeconds = t.AnswerTime?.TotalSeconds,
        Outcome = t.Outcome(now),
        Alarmed = t.Alarmed,
        PathIndex = t.Path?.Index,
        PathEndpoint = t.Path?.Endpoint,
    };

    private CronExpression? Cron(string text) =>
        _crons.TryGetValue(text, out var c) ? c : TryParse(text, out c) ? _crons.GetOrAdd(text, c!) : null;

    private static bool TryParse(string text, out CronExpression? cron) => CronExpression.TryParse(text, CronFormat.Standard, out cron);

    private static bool TryZone(string id, out TimeZoneInfo zone)
    {
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }
    }

    private static string Minutes(double seconds) =>
        seconds % 60 == 0 ? $"{seconds / 60:0} min" : $"{seconds:0} s";

    public override void Dispose()
    {
        _ticking.Dispose();
        base.Dispose();
    }

    [LoggerMessage(1410, LogLevel.Information, "Line test {Id} sent to {Peer} (started by {StartedBy})")]
    private static partial void LogSent(ILogger logger, Guid id, string peer, string startedBy);

    [LoggerMessage(1411, LogLevel.Information, "Line test {Id} from {Peer} answered by {Actor}: {Outcome}")]
    private static partial void LogAnswered(ILogger logger, Guid id, string peer, string actor, string outcome);

    [LoggerMessage(1412, LogLevel.Warning, "Line test {Id} with {Peer} missed: alarm {AlarmId} raised")]
    private static partial void LogMissed(ILogger logger, Guid id, string peer, long alarmId);

    [LoggerMessage(1413, LogLevel.Warning, "Scheduled line test with {Peer} due at {Due} skipped: its window passed while the node was stopped")]
    private static partial void LogSkipped(ILogger logger, string peer, DateTimeOffset due);

    [LoggerMessage(1414, LogLevel.Error, "Line test pass failed")]
    private static partial void LogTickFailed(ILogger logger, Exception e);
}

/// <summary>A line test as the API shows it.</summary>
public sealed record LineTestView
{
    public required Guid Id { get; init; }
    public required string Peer { get; init; }
    public string? PeerName { get; init; }
    /// <summary>out: this node tested the peer; in: the peer tested this node.</summary>
    public required string Direction { get; init; }
    public required DateTimeOffset SentAt { get; init; }
    public required string Dtg { get; init; }
    public required string StartedBy { get; init; }
    public required double WindowSeconds { get; init; }
    public required DateTimeOffset Deadline { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
    public DateTimeOffset? AnsweredAt { get; init; }
    public string? AnsweredBy { get; init; }
    public double? AnswerSeconds { get; init; }
    /// <summary>answered, late, missed or pending.</summary>
    public required string Outcome { get; init; }
    public required bool Alarmed { get; init; }
    public int? PathIndex { get; init; }
    public string? PathEndpoint { get; init; }
}
