namespace Hotline.Storage;

/// <summary>The state of a link as supervision sees it.</summary>
public static class LinkStateNames
{
    public const string Up = "up";
    public const string Degraded = "degraded";
    public const string Down = "down";
}

/// <summary>
/// The path a session runs on: the endpoint of the dialled side that the dialler dialled, with its
/// place in the dialler's list of that side's endpoints (0 is the preferred one). The dialler
/// tells it in its Hello, so both sides record the same path.
/// </summary>
public sealed record LinkPath(int Index, string Endpoint)
{
    public override string ToString() => Index >= 0 ? $"#{Index} {Endpoint}" : Endpoint;
}

/// <summary>One change of a link's state, or of the path it runs on, as stored.</summary>
public sealed record LinkTransition
{
    public long Id { get; init; }
    public required string PeerId { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary>One of <see cref="LinkStateNames"/>.</summary>
    public required string State { get; init; }
    public required string Cause { get; init; }
    /// <summary>The path while up or degraded; null when down.</summary>
    public LinkPath? Path { get; init; }
    public double? RoundTripMs { get; init; }
}

/// <summary>A line test, ours (outbound) or the peer's (inbound), read from its signed TEST envelope and the answer.</summary>
public sealed record LineTestRecord
{
    public required Guid Id { get; init; }
    public required string PeerId { get; init; }
    /// <summary>Outbound: this node tested the peer. Inbound: the peer tested this node.</summary>
    public required Direction Direction { get; init; }
    /// <summary>When the test was sent (the envelope's signed creation time).</summary>
    public required DateTimeOffset SentAt { get; init; }
    public required TimeSpan Window { get; init; }
    /// <summary>Who started it: "schedule" or the operator's name.</summary>
    public required string StartedBy { get; init; }
    /// <summary>Outbound: when the peer's node receipted it (no person involved). Inbound: when it arrived.</summary>
    public DateTimeOffset? DeliveredAt { get; init; }
    /// <summary>The signed creation time of the answer, and who answered.</summary>
    public DateTimeOffset? AnsweredAt { get; init; }
    public string? AnsweredBy { get; init; }
    /// <summary>True once a missed-test alarm was raised for it on this node.</summary>
    public bool Alarmed { get; init; }
    /// <summary>The path the test travelled on, when known.</summary>
    public LinkPath? Path { get; init; }

    public DateTimeOffset Deadline => SentAt + Window;

    public TimeSpan? AnswerTime => AnsweredAt - SentAt;

    /// <summary>answered (within the window), late (answered after it), missed (no answer and past it), or pending.</summary>
    public string Outcome(DateTimeOffset now) =>
        AnsweredAt is { } a ? (a <= Deadline ? LineTestOutcomes.Answered : LineTestOutcomes.Late)
        : now >= Deadline ? LineTestOutcomes.Missed
        : LineTestOutcomes.Pending;
}

public static class LineTestOutcomes
{
    public const string Answered = "answered";
    public const string Late = "late";
    public const string Missed = "missed";
    public const string Pending = "pending";
}

/// <summary>The outcome of a local person answering a line test from the peer.</summary>
public sealed record LineTestAnswer(StoredMessage? Response, LineTestRecord? Test, string? Error);

/// <summary>When a link is tested and how long a person has to answer. Null members take the node's defaults.</summary>
public sealed record LineTestSettings
{
    public static readonly LineTestSettings Defaults = new()
    {
        Enabled = true,
        Schedule = "0 * * * *",
        TimeZone = "UTC",
        AnswerWithinSeconds = 300,
    };

    public bool? Enabled { get; init; }

    /// <summary>A five-field cron expression (minute hour day month weekday), e.g. <c>0 9,16 * * *</c>.</summary>
    public string? Schedule { get; init; }

    /// <summary>IANA time zone the schedule is read in, e.g. <c>Asia/Seoul</c>.</summary>
    public string? TimeZone { get; init; }

    public int? AnswerWithinSeconds { get; init; }

    /// <summary>These settings over <paramref name="defaults"/>, member by member.</summary>
    public LineTestSettings Over(LineTestSettings defaults) => new()
    {
        Enabled = Enabled ?? defaults.Enabled ?? Defaults.Enabled,
        Schedule = Schedule ?? defaults.Schedule ?? Defaults.Schedule,
        TimeZone = TimeZone ?? defaults.TimeZone ?? Defaults.TimeZone,
        AnswerWithinSeconds = AnswerWithinSeconds ?? defaults.AnswerWithinSeconds ?? Defaults.AnswerWithinSeconds,
    };
}
