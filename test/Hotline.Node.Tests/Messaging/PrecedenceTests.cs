using Hotline.Core.Messages;
using Hotline.Node.Messaging;
using Hotline.Storage;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Messaging;

public sealed class PrecedenceTests
{
    [Fact]
    public async Task A_flash_overtakes_a_large_routine_backlog_and_routine_order_is_kept()
    {
        const int Backlog = 20_000;
        await using var cluster = await TwoNodeCluster.StartAsync(new ClusterOptions { ThroughProxies = true });
        var (a, b) = (cluster.A, cluster.B);
        foreach (var proxy in cluster.Proxies)
        {
            proxy.Cut();
        }
        await Poll.UntilAsync(() => !a.IsUpWith(b), "the link to go down");

        var sends = Enumerable.Range(0, Backlog).Select(i => a.SendAsync(b, "navy", $"routine {i:D5}")).ToList();
        await Task.WhenAll(sends);
        var flash = (await a.SendAsync(b, "navy", "FLASH: collision imminent", "FLASH")).Value!;
        Assert.Equal(Backlog + 1, a.Store.Counts(b.Id).Undelivered);

        foreach (var proxy in cluster.Proxies)
        {
            proxy.Restore();
        }
        await cluster.WaitAllDeliveredAsync(TimeSpan.FromMinutes(3));

        var inbound = b.Inbound(a).ToList();
        Assert.Equal(Backlog + 1, inbound.Count);
        var flashAt = inbound.FindIndex(m => m.Envelope.Id == flash.Id);
        // At most one window of routine traffic may already have been on the wire when the FLASH was queued.
        Assert.InRange(flashAt, 0, 1000);
        var routine = inbound.Where(m => m.Envelope.Precedence == Precedence.Routine).Select(m => m.Envelope.Text).ToList();
        Assert.Equal(routine.Order(StringComparer.Ordinal), routine);
    }

    [Fact]
    public async Task Unknown_precedence_and_a_label_the_link_does_not_allow_get_a_clear_400()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var api = cluster.A.Api;

        var bad = await Assert.ThrowsAsync<Hotline.Cli.CliError>(() =>
            api.PostAsync("/api/messages", new { peer = cluster.B.Id, channel = "navy", text = "x", precedence = "URGENT" }));
        Assert.Contains("unknown precedence 'URGENT'", bad.Message, StringComparison.Ordinal);
        Assert.Contains("FLASH, IMMEDIATE, PRIORITY or ROUTINE", bad.Message, StringComparison.Ordinal);

        var label = await Assert.ThrowsAsync<Hotline.Cli.CliError>(() =>
            api.PostAsync("/api/messages", new { peer = cluster.B.Id, channel = "navy", text = "x", label = "SECRET//NOFORN" }));
        Assert.Contains("label 'SECRET//NOFORN' is not allowed", label.Message, StringComparison.Ordinal);

        using var raw = await api.Http.PostAsync("/api/messages", System.Net.Http.Json.JsonContent.Create(new { peer = cluster.B.Id, channel = "navy", text = "x", precedence = "URGENT" }));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, raw.StatusCode);
        Assert.Equal("application/problem+json", raw.Content.Headers.ContentType?.MediaType);
        Assert.Empty(cluster.A.Outbound(cluster.B));

        var ok = await api.PostAsync("/api/messages", new { peer = cluster.B.Id, channel = "navy", text = "x", precedence = "immediate", label = "unclassified//hotline" });
        Assert.Equal("IMMEDIATE", ok.GetProperty("precedence").GetString());
        Assert.Equal("UNCLASSIFIED//HOTLINE", ok.GetProperty("label").GetString());
        Assert.Matches(@"^\d{6}Z [A-Z]{3} \d{2}$", ok.GetProperty("dtg").GetString()!);
    }
}
