using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Hotline.Node.Apis;

public static class MessagesApi
{
    public static RouteGroupBuilder MapMessagesApi(this RouteGroupBuilder api)
    {
        api.MapPost("/messages", SendAsync);
        api.MapGet("/messages", List);
        api.MapGet("/messages/{id:guid}", Get);
        return api;
    }

    private static async Task<IResult> SendAsync(SendRequest request, MessageService messages, CancellationToken ct)
    {
        var result = await messages.SendAsync(request, ct);
        return result.Message is { } m
            ? Results.Accepted($"/api/messages/{m.Id}", m)
            : Problems.Of(result.Status, result.Error!, result.Fix);
    }

    private static IResult List(IHotlineStore store, PeerDirectory directory, string? peer, string? channel, long? after, int? limit)
    {
        string? peerId = null;
        if (peer is not null)
        {
            peerId = directory.Resolve(peer)?.Id;
            if (peerId is null)
            {
                return Problems.Of(404, $"unknown peer '{peer}'", "Use a peer name or id from GET /api/peers.");
            }
        }
        var list = store.ListMessages(new MessageQuery { PeerId = peerId, Channel = channel, After = after ?? 0, Limit = limit ?? 100 });
        var views = list.Select(MessageView.From).ToList();
        return Results.Ok(new { messages = views, next = views.Count > 0 ? views[^1].Position : after ?? 0 });
    }

    private static IResult Get(Guid id, IHotlineStore store) =>
        store.FindMessage(id) is { } m ? Results.Ok(MessageView.From(m)) : Problems.Of(404, $"no message {id}", null);
}
