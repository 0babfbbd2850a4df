using Hotline.Node.Hosting;
using Hotline.Node.Link;
using Hotline.Node.Supervision;
using Xunit;

namespace Hotline.Node.Tests.Link;

public sealed class PathSteadinessTests
{
    // Heartbeats every 0.5 s: a frame later than 0.75 s after the one before is a falter.
    private static readonly LinkSupervisionOptions Options = LinkSupervisionOptions.From(new LinkConfig { HeartbeatSeconds = 0.5, DegradedRoundTripMs = 200 });
    private static readonly DateTimeOffset T0 = new(2026, 12, 8, 5, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    [Fact]
    public void A_path_heard_every_heartbeat_is_steady_since_it_was_first_heard()
    {
        var path = new PathSteadiness(Options);
        for (var t = 0.0; t <= 5; t += 0.5)
        {
            path.Heard(At(t));
            path.RoundTrip(At(t), TimeSpan.FromMilliseconds(20));
        }
        Assert.Equal(At(0), path.SteadySince);
        Assert.Equal(TimeSpan.FromSeconds(0.25), path.SilenceAt(At(5.25)));
    }

    [Fact]
    public void A_silence_no_one_looked_at_restarts_the_steady_time_when_the_next_frame_comes()
    {
        // Nothing came between 1.5 s and 2.5 s. A supervisor that looked only at 0.5 s and 3.2 s (a
        // starved loop) saw a path just heard both times; its steady time still starts at 2.5 s.
        var path = new PathSteadiness(Options);
        foreach (var t in new[] { 0, 0.5, 1.0, 1.5, 2.5, 3.0 })
        {
            path.Heard(At(t));
        }
        Assert.Equal(At(2.5), path.SteadySince);
        Assert.True(path.SilenceAt(At(3.2)) < Options.DegradedAfter);
    }

    [Fact]
    public void A_frame_just_inside_the_allowance_is_not_a_falter()
    {
        var path = new PathSteadiness(Options);
        path.Heard(At(0));
        path.Heard(At(0.75));
        path.Heard(At(1.5));
        Assert.Equal(At(0), path.SteadySince);
        path.Heard(At(2.26));
        Assert.Equal(At(2.26), path.SteadySince);
    }

    [Fact]
    public void A_slow_heartbeat_restarts_the_steady_time_even_if_the_next_is_fast()
    {
        var path = new PathSteadiness(Options);
        path.Heard(At(0));
        path.RoundTrip(At(1), TimeSpan.FromMilliseconds(200));
        Assert.Equal(At(0), path.SteadySince);
        path.RoundTrip(At(1.5), TimeSpan.FromMilliseconds(201));
        path.RoundTrip(At(2), TimeSpan.FromMilliseconds(20));
        Assert.Equal(At(1.5), path.SteadySince);
    }
}
