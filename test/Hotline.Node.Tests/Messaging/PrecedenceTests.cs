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

    [Theory]
    [InlineData("/api/messages", "text/plain", "{}", 415)]
    [InlineData("/api/messages", "application/json", "{\"peer\": ", 400)]
    [InlineData("/api/messages", "application/json", "null", 400)]
    [InlineData("/api/messages", "application/json", "", 400)]
    [InlineData("/api/messages", "application/json", "[1, 2]", 400)]
    [InlineData("/api/messages/batch", "application/json", "{\"messages\": [{\"peer\": 1}]}", 400)]
    [InlineData("/api/messages/batch", "text/plain", "{\"messages\": []}", 415)]
    public async Task A_body_that_is_not_a_json_request_gets_a_problem_and_sends_nothing(string path, string type, string body, int status)
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var api = cluster.A.Api;

        using var content = new System.Net.Http.StringContent(body, System.Text.Encoding.UTF8, type);
        using var answer = await api.Http.PostAsync(path, content);

        Assert.Equal(status, (int)answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        using var problem = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("title").GetString()));
        Assert.Empty(cluster.A.Outbound(cluster.B));
    }

    [Fact]
    public async Task A_send_whose_body_arrives_in_chunks_is_read_whole()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var json = System.Text.Encoding.UTF8.GetBytes($$"""{"peer": "{{cluster.B.Id}}", "channel": "navy", "text": "{{new string('x', 60_000)}}"}""");
        // A stream of unknown length goes out chunked, without a Content-Length.
        using var content = new System.Net.Http.StreamContent(new UnknownLength(json));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var answer = await cluster.A.Api.Http.PostAsync("/api/messages", content);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, answer.StatusCode);
        Assert.Equal(60_000, Assert.Single(cluster.A.Outbound(cluster.B)).Envelope.Text.Length);
    }

    private sealed class UnknownLength(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
