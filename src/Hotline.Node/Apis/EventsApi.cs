using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Hotline.Node.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Hotline.Node.Apis;

public static class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this RouteGroupBuilder api)
    {
        // Server-Sent Events: one `event: <type>` with a JSON `data:` line per node event.
        api.MapGet("/events", (EventHub hub, CancellationToken ct) => TypedResults.ServerSentEvents(Stream(hub, ct)));
        return api;
    }

    private static async IAsyncEnumerable<SseItem<NodeEvent>> Stream(EventHub hub, [EnumeratorCancellation] CancellationToken ct)
    {
        using var subscription = hub.Subscribe();
        yield return new SseItem<NodeEvent>(new NodeEvent { Type = "hello", At = DateTimeOffset.UtcNow }, "hello");
        await foreach (var e in subscription.Reader.ReadAllAsync(ct))
        {
            yield return new SseItem<NodeEvent>(e, e.Type);
        }
    }
}
