using Hotline.Node.Supervision;

namespace Hotline.Node.Link;

/// <summary>
/// What a session has heard from its peer: when it last heard anything, and since when the path
/// has been steady. The path falters when a frame comes after a silence, or a heartbeat reply
/// after a round trip, that <see cref="LinkHealthRules"/> call degraded (longer than
/// <see cref="LinkSupervisionOptions.DegradedAfter"/>, over <see cref="LinkSupervisionOptions.DegradedRoundTrip"/>).
/// Both are judged as each frame arrives, not when someone looks: a silence that began and ended
/// between two looks of a starved supervisor (a loaded machine) still restarts the steady time, so
/// a flapping path is never taken for a steady one. Written by the session's read loop, read from
/// any thread.
/// </summary>
internal sealed class PathSteadiness(LinkSupervisionOptions options)
{
    private long _heardTicks;
    private long _steadySinceTicks;

    /// <summary>How long since the peer was last heard; from <see cref="DateTimeOffset.MinValue"/> before it ever was.</summary>
    public TimeSpan SilenceAt(DateTimeOffset now) => TimeSpan.FromTicks(now.UtcTicks - Interlocked.Read(ref _heardTicks));

    /// <summary>When the path last faltered (or was first heard): the start of its steady time.</summary>
    public DateTimeOffset SteadySince => new(Interlocked.Read(ref _steadySinceTicks), TimeSpan.Zero);

    /// <summary>A frame arrived at <paramref name="at"/>; the first one starts the steady time.</summary>
    public void Heard(DateTimeOffset at)
    {
        var before = Interlocked.Exchange(ref _heardTicks, at.UtcTicks);
        if (before == 0 || Falters(TimeSpan.FromTicks(at.UtcTicks - before), null))
        {
            Interlocked.Exchange(ref _steadySinceTicks, at.UtcTicks);
        }
    }

    /// <summary>A heartbeat reply measured <paramref name="roundTrip"/>.</summary>
    public void RoundTrip(DateTimeOffset at, TimeSpan roundTrip)
    {
        if (Falters(TimeSpan.Zero, roundTrip))
        {
            Interlocked.Exchange(ref _steadySinceTicks, at.UtcTicks);
        }
    }

    /// <summary>The link's health rules, applied to one gap or one round trip.</summary>
    private bool Falters(TimeSpan silence, TimeSpan? roundTrip) => LinkHealthRules.Evaluate(silence, roundTrip, options).State != LinkState.Up;
}
