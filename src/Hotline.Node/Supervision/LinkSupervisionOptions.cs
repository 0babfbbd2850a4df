using Hotline.Node.Hosting;

namespace Hotline.Node.Supervision;

/// <summary>The timing rules of link supervision, derived once from <see cref="LinkConfig"/>.</summary>
public sealed record LinkSupervisionOptions
{
    /// <summary>Between heartbeats, each way.</summary>
    public required TimeSpan Heartbeat { get; init; }

    /// <summary>Silence after which a path has failed and the session ends (so the next path is dialled).</summary>
    public required TimeSpan FailAfter { get; init; }

    /// <summary>Silence after which the link is degraded: a heartbeat is overdue by half an interval.</summary>
    public TimeSpan DegradedAfter => Heartbeat * 1.5;

    /// <summary>A heartbeat round trip longer than this degrades the link.</summary>
    public required TimeSpan DegradedRoundTrip { get; init; }

    /// <summary>How long a better path must stay healthy, probed, before the link returns to it.</summary>
    public required TimeSpan FailbackAfter { get; init; }

    /// <summary>How often liveness is checked inside a session: a tenth of the interval.</summary>
    public TimeSpan CheckEvery => Heartbeat / 10;


    public static LinkSupervisionOptions From(LinkConfig c) => new()
    {
        Heartbeat = TimeSpan.FromSeconds(c.HeartbeatSeconds),
        FailAfter = TimeSpan.FromSeconds(c.HeartbeatSeconds * Math.Max(2, c.FailAfterHeartbeats)),
        DegradedRoundTrip = TimeSpan.FromMilliseconds(c.DegradedRoundTripMs),
        FailbackAfter = TimeSpan.FromSeconds(c.FailbackAfterSeconds),
    };
}
