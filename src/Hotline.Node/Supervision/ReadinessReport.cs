using Hotline.Storage;

namespace Hotline.Node.Supervision;

/// <summary>
/// How ready a link was over a period: its line tests, each way, and its link history. Built
/// from the store alone, so it can be made with the node stopped.
/// </summary>
public sealed record ReadinessReport
{
    public required string Peer { get; init; }
    public required string PeerName { get; init; }
    public required DateTimeOffset Since { get; init; }
    public required DateTimeOffset Until { get; init; }
    /// <summary>Tests this node sent: how the other side answered.</summary>
    public required LineTestFigures TestsSent { get; init; }
    /// <summary>Tests the peer sent: how this side answered.</summary>
    public required LineTestFigures TestsReceived { get; init; }
    public required LinkFigures Link { get; init; }
    public required IReadOnlyList<TimelineSegment> Timeline { get; init; }
    public required IReadOnlyList<AnswerPoint> Answers { get; init; }

    public static ReadinessReport Build(ISupervisionStore store, PeerRecord peer, DateTimeOffset since, DateTimeOffset until)
    {
        var tests = store.ListLineTests(peer.Id, since).Where(t => t.SentAt <= until).ToList();
        var timeline = BuildTimeline(store.ListLinkTransitions(peer.Id, since, until), since, until);
        return new ReadinessReport
        {
            Peer = peer.Id,
            PeerName = peer.Name,
            Since = since,
            Until = until,
            TestsSent = LineTestFigures.Of(tests.Where(t => t.Direction == Direction.Outbound), until),
            TestsReceived = LineTestFigures.Of(tests.Where(t => t.Direction == Direction.Inbound), until),
            Link = LinkFigures.Of(store.ListLinkTransitions(peer.Id, since, until), timeline, since),
            Timeline = timeline,
            Answers = tests.Select(t => new AnswerPoint(t.SentAt, t.Direction == Direction.Outbound ? "out" : "in",
                t.AnswerTime?.TotalSeconds, t.Window.TotalSeconds, t.Outcome(until))).ToList(),
        };
    }

    /// <summary>The period cut into pieces of one state and path; before the first known transition the state is unknown.</summary>
    public static List<TimelineSegment> BuildTimeline(IReadOnlyList<LinkTransition> transitions, DateTimeOffset since, DateTimeOffset until)
    {
        var segments = new List<TimelineSegment>();
        var cursor = since;
        string state = "unknown";
        LinkPath? path = null;
        foreach (var t in transitions)
        {
            if (t.At > cursor)
            {
                Add(segments, cursor, t.At < until ? t.At : until, state, path);
                cursor = t.At;
            }
            state = t.State;
            path = t.State == LinkStateNames.Down ? null : t.Path;
            if (cursor >= until)
            {
                break;
            }
        }
        if (cursor < until)
        {
            Add(segments, cursor, until, state, path);
        }
        return segments;
    }

    private static void Add(List<TimelineSegment> segments, DateTimeOffset from, DateTimeOffset to, string state, LinkPath? path)
    {
        if (to <= from)
        {
            return;
        }
        if (segments.Count > 0 && segments[^1] is var last && last.State == state && last.PathIndex == path?.Index && last.Endpoint == path?.Endpoint && last.To == from)
        {
            segments[^1] = last with { To = to };
            return;
        }
        segments.Add(new TimelineSegment(from, to, state, path?.Index, path?.Endpoint));
    }
}

public sealed record LineTestFigures
{
    public required int Tests { get; init; }
    public required int AnsweredOnTime { get; init; }
    public required int Late { get; init; }
    public required int Missed { get; init; }
    /// <summary>Still inside their window: not counted in the percentage.</summary>
    public required int Pending { get; init; }
    /// <summary>Answered on time, of the tests whose window has closed; null when there are none.</summary>
    public double? OnTimePercent { get; init; }
    /// <summary>Of the tests answered (on time or late).</summary>
    public double? MedianAnswerSeconds { get; init; }
    public double? WorstAnswerSeconds { get; init; }

    public static LineTestFigures Of(IEnumerable<LineTestRecord> tests, DateTimeOffset now)
    {
        var list = tests.ToList();
        var outcomes = list.Select(t => t.Outcome(now)).ToList();
        var onTime = outcomes.Count(o => o == LineTestOutcomes.Answered);
        var pending = outcomes.Count(o => o == LineTestOutcomes.Pending);
        var closed = list.Count - pending;
        var times = list.Where(t => t.AnswerTime is not null).Select(t => t.AnswerTime!.Value.TotalSeconds).Order().ToList();
        return new LineTestFigures
        {
            Tests = list.Count,
            AnsweredOnTime = onTime,
            Late = outcomes.Count(o => o == LineTestOutcomes.Late),
            Missed = outcomes.Count(o => o == LineTestOutcomes.Missed),
            Pending = pending,
            OnTimePercent = closed > 0 ? 100.0 * onTime / closed : null,
            MedianAnswerSeconds = Median(times),
            WorstAnswerSeconds = times.Count > 0 ? times[^1] : null,
        };
    }

    private static double? Median(List<double> sorted) =>
        sorted.Count == 0 ? null
        : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
        : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

public sealed record LinkFigures
{
    /// <summary>Up or degraded, of the time whose state is known; null when none is.</summary>
    public double? UptimePercent { get; init; }
    public required double UpSeconds { get; init; }
    public required double DegradedSeconds { get; init; }
    public required double DownSeconds { get; init; }
    /// <summary>Before the first transition on record.</summary>
    public required double UnknownSeconds { get; init; }
    public required IReadOnlyList<PathTime> Paths { get; init; }
    /// <summary>Moves to a less preferred path (a higher index), inside the period.</summary>
    public required int Failovers { get; init; }
    /// <summary>Moves back to a more preferred path.</summary>
    public required int Failbacks { get; init; }
    /// <summary>Periods down, inside the period (one that began before it counts, cut at its start).</summary>
    public required int Outages { get; init; }
    public double? LongestOutageSeconds { get; init; }
    public DateTimeOffset? LongestOutageFrom { get; init; }

    public static LinkFigures Of(IReadOnlyList<LinkTransition> transitions, IReadOnlyList<TimelineSegment> timeline, DateTimeOffset since)
    {
        double Sum(string state) => timeline.Where(s => s.State == state).Sum(s => s.Seconds);
        var up = Sum(LinkStateNames.Up);
        var degraded = Sum(LinkStateNames.Degraded);
        var down = Sum(LinkStateNames.Down);
        var known = up + degraded + down;
        var paths = timeline.Where(s => s.State != LinkStateNames.Down && s.Endpoint is not null)
            .GroupBy(s => (s.PathIndex, s.Endpoint))
            .Select(g => new PathTime(g.Key.PathIndex ?? -1, g.Key.Endpoint!, g.Sum(s => s.Seconds), up + degraded > 0 ? 100 * g.Sum(s => s.Seconds) / (up + degraded) : 0))
            .OrderBy(p => p.Index).ThenBy(p => p.Endpoint, StringComparer.Ordinal).ToList();
        var (failovers, failbacks) = (0, 0);
        LinkPath? previous = null;
        foreach (var t in transitions.Where(t => t.Path is not null))
        {
            if (t.At >= since && previous is not null && t.Path!.Index >= 0 && previous.Index >= 0)
            {
                failovers += t.Path.Index > previous.Index ? 1 : 0;
                failbacks += t.Path.Index < previous.Index ? 1 : 0;
            }
            previous = t.Path;
        }
        // Down segments that touch are one outage (a new cause while still down is the same outage).
        var outages = new List<(DateTimeOffset From, double Seconds)>();
        foreach (var s in timeline.Where(s => s.State == LinkStateNames.Down))
        {
            if (outages.Count > 0 && outages[^1] is var last && last.From.AddSeconds(last.Seconds) == s.From)
            {
                outages[^1] = (last.From, last.Seconds + s.Seconds);
            }
            else
            {
                outages.Add((s.From, s.Seconds));
            }
        }
        var longest = outages.Count > 0 ? outages.MaxBy(o => o.Seconds) : default;
        return new LinkFigures
        {
            UptimePercent = known > 0 ? 100 * (up + degraded) / known : null,
            UpSeconds = up,
            DegradedSeconds = degraded,
            DownSeconds = down,
            UnknownSeconds = Sum("unknown"),
            Paths = paths,
            Failovers = failovers,
            Failbacks = failbacks,
            Outages = outages.Count,
            LongestOutageSeconds = outages.Count > 0 ? longest.Seconds : null,
            LongestOutageFrom = outages.Count > 0 ? longest.From : null,
        };
    }
}

public sealed record PathTime(int Index, string Endpoint, double Seconds, double Percent);

public sealed record TimelineSegment(DateTimeOffset From, DateTimeOffset To, string State, int? PathIndex, string? Endpoint)
{
    public double Seconds => (To - From).TotalSeconds;
}

public sealed record AnswerPoint(DateTimeOffset SentAt, string Direction, double? AnswerSeconds, double WindowSeconds, string Outcome);

/// <summary>Reads a report period: <c>30d</c>, <c>12h</c>, <c>90m</c>, <c>2w</c>, or a date or date-time (UTC unless it says otherwise).</summary>
public static class ReportPeriod
{
    public static bool TryParseSince(string text, DateTimeOffset now, out DateTimeOffset since)
    {
        since = default;
        text = text.Trim();
        if (text.Length >= 2 && double.TryParse(text[..^1], System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            TimeSpan? span = char.ToLowerInvariant(text[^1]) switch
            {
                'w' => TimeSpan.FromDays(7 * n),
                'd' => TimeSpan.FromDays(n),
                'h' => TimeSpan.FromHours(n),
                'm' => TimeSpan.FromMinutes(n),
                's' => TimeSpan.FromSeconds(n),
                _ => null,
            };
            if (span is { } s)
            {
                since = now - s;
                return true;
            }
        }
        return DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out since) && since <= now;
    }
}
