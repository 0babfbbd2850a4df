using Hotline.Node.Link;

namespace Hotline.Node.Supervision;

/// <summary>
/// The state of a link that has a session, from what its heartbeats show. Without a session a
/// link is down; a session ends (and the next path is dialled) after <see cref="LinkSupervisionOptions.FailAfter"/>
/// of silence. Until then, in this order:
/// <list type="number">
/// <item>nothing heard for 1.5 heartbeat intervals (a heartbeat missed): <b>degraded</b>;</item>
/// <item>the last heartbeat round trip above the threshold: <b>degraded</b>;</item>
/// <item>otherwise <b>up</b>.</item>
/// </list>
/// </summary>
public static class LinkHealthRules
{
    public static (LinkState State, string Cause) Evaluate(TimeSpan silence, TimeSpan? roundTrip, LinkSupervisionOptions o)
    {
        if (silence > o.DegradedAfter)
        {
            var missed = Math.Max(1, (int)(silence / o.Heartbeat));
            return (LinkState.Degraded, $"heartbeat missed: nothing heard for {silence.TotalSeconds:0.0} s ({missed} interval{(missed == 1 ? "" : "s")})");
        }
        if (roundTrip is { } rtt && rtt > o.DegradedRoundTrip)
        {
            return (LinkState.Degraded, $"round trip {rtt.TotalMilliseconds:0} ms above {o.DegradedRoundTrip.TotalMilliseconds:0} ms");
        }
        return (LinkState.Up, "heartbeats answered");
    }
}
