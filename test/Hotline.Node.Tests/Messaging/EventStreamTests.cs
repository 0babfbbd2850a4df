using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Messaging;

/// <summary>GET /api/events over real HTTP: the whole stream, or only the types a subscriber asks for.</summary>
public sealed class EventStreamTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_subscriber_that_asks_for_deliveries_gets_those_alone_and_one_that_asks_for_nothing_gets_everything()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (a, b) = (cluster.A, cluster.B);
        using var cts = new CancellationTokenSource(Wait);
        await using var only = await a.Api.Http.GetStreamAsync("/api/events?types=message.delivered", cts.Token);
        await using var all = await a.Api.Http.GetStreamAsync("/api/events", cts.Token);
        var onlyTypes = ReadTypesAsync(only, count: 3, "message.delivered", cts.Token);
        var allTypes = ReadTypesAsync(all, count: 3, "message.delivered", cts.Token);

        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull((await a.SendAsync(b, "navy", $"position report {i}")).Value);
        }

        Assert.Equal(["hello", "message.delivered", "message.delivered", "message.delivered"], await onlyTypes);
        var seen = await allTypes;
        Assert.Equal(3, seen.Count(t => t == "message.committed"));
        Assert.Equal(3, seen.Count(t => t == "message.delivered"));
    }

    [Fact]
    public async Task An_unknown_event_type_is_refused_by_name_before_the_stream_opens()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();

        using var response = await cluster.A.Api.Http.GetAsync("/api/events?types=message.delivered,message.recieved");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("'message.recieved'", problem.RootElement.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains("message.received", problem.RootElement.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The types of the events read, in order, until <paramref name="count"/> of <paramref name="until"/> have come.</summary>
    private static async Task<List<string>> ReadTypesAsync(Stream stream, int count, string until, CancellationToken ct)
    {
        var types = new List<string>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(ct))
        {
            types.Add(item.EventType);
            if (types.Count(t => t == until) == count)
            {
                break;
            }
        }
        return types;
    }
}
