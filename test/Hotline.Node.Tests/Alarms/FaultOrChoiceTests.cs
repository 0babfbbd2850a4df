using Hotline.Node.Alarms;
using Hotline.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Hotline.Node.Tests.Alarms;

/// <summary>For an overdue message the sender must see whether the line failed or the other side is silent.</summary>
public sealed class FaultOrChoiceTests
{
    [Fact]
    public async Task A_cut_link_is_reported_as_a_fault_and_a_silent_peer_as_a_choice()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var cluster = await TwoNodeCluster.StartAsync(new ClusterOptions
        {
            ThroughProxies = true,
            Node = new TestNodeOptions { Time = clock, HeartbeatSeconds = 0.5 },
        });
        var (a, b) = (cluster.A, cluster.B);
        foreach (var proxy in cluster.Proxies)
        {
            proxy.Cut();
        }
        await Poll.UntilAsync(() => !a.IsUpWith(b), "A to see the link down", TimeSpan.FromSeconds(30));

        var flash = (await a.SendAsync(b, "ministerial", "Please call now", "FLASH")).Value!;
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.DoesNotContain(a.Service<PendingService>().List().Overdue, i => i.Message.Id == flash.Id);

        clock.Advance(TimeSpan.FromSeconds(2));
        var fault = Assert.Single(a.Service<PendingService>().List().Overdue);
        Assert.Equal(flash.Id, fault.Message.Id);
        Assert.Equal("fault", fault.Fault);
        Assert.Contains("not delivered", fault.Reason, StringComparison.Ordinal);
        Assert.Contains("is down", fault.Reason, StringComparison.Ordinal);

        foreach (var proxy in cluster.Proxies)
        {
            proxy.Restore();
        }
        await cluster.WaitAllDeliveredAsync();
        clock.Advance(TimeSpan.FromMinutes(10));
        var choice = Assert.Single(a.Service<PendingService>().List().Overdue);
        Assert.Equal("choice", choice.Fault);
        Assert.Contains("delivered at", choice.Reason, StringComparison.Ordinal);
        Assert.Contains("has not answered", choice.Reason, StringComparison.Ordinal);

        // On the receiving side the same message waits for us, and is ours to answer.
        var ours = Assert.Single(b.Service<PendingService>().List().AwaitingUs);
        Assert.Equal("ours", ours.Fault);
    }
}
