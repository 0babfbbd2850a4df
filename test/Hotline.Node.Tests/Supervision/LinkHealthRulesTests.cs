using Hotline.Node.Link;
using Hotline.Node.Supervision;
using Xunit;

namespace Hotline.Node.Tests.Supervision;

public sealed class LinkHealthRulesTests
{
    private static readonly LinkSupervisionOptions Options = LinkSupervisionOptions.From(new Hotline.Node.Hosting.LinkConfig { HeartbeatSeconds = 2, DegradedRoundTripMs = 500 });

    [Theory]
    [InlineData(0.1, 20, LinkState.Up, "heartbeats answered")]
    [InlineData(2.9, 20, LinkState.Up, "heartbeats answered")]
    [InlineData(3.1, 20, LinkState.Degraded, "heartbeat missed")]
    [InlineData(0.5, 501, LinkState.Degraded, "round trip 501 ms above 500 ms")]
    [InlineData(3.5, 900, LinkState.Degraded, "heartbeat missed")]
    public void State_follows_silence_then_round_trip(double silenceSeconds, double rttMs, LinkState state, string cause)
    {
        var (s, c) = LinkHealthRules.Evaluate(TimeSpan.FromSeconds(silenceSeconds), TimeSpan.FromMilliseconds(rttMs), Options);
        Assert.Equal(state, s);
        Assert.StartsWith(cause, c, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_fails_after_two_silent_intervals_and_never_sooner_than_two()
    {
        Assert.Equal(TimeSpan.FromSeconds(4), Options.FailAfter);
        Assert.Equal(TimeSpan.FromSeconds(3), Options.DegradedAfter);
        var once = LinkSupervisionOptions.From(new Hotline.Node.Hosting.LinkConfig { HeartbeatSeconds = 2, FailAfterHeartbeats = 1 });
        Assert.Equal(TimeSpan.FromSeconds(4), once.FailAfter);
    }
}
