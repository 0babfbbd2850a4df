using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Protocol;
using Hotline.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Hotline.Node.Apis;

public static class MessagesApi
{
    /// <summary>Who is acting, as the client states it (the console will set it from the signed-in user).</summary>
    public const string OperatorHeader = "X-Hotline-Operator";

    public static RouteGroupBuilder MapMessagesApi(this RouteGroupBuilder api)
    {
        api.MapPost("/messages", SendAsync);
        api.MapGet("/messages", List);
        api.MapGet("/messages/{id:guid}", Get);
        api.MapPost("/messages/{id:guid}/seen", (Guid id, HttpContext http, MessageService messages, CancellationToken ct) =>
            RespondAsync(id, EnvelopeKind.Seen, null, http, messages, ct));
        api.MapPost("/messages/{id:guid}/ack", (Guid id, AckRequest? request, HttpContext http, MessageService messages, CancellationToken ct) =>
            RespondAsync(id, EnvelopeKind.Acknowledgement, request?.Reply, http, messages, ct));
        return api;
    }

    private static async Task<IResult> SendAsync(SendRequest request, MessageService messages, CancellationToken ct)
    {
        var result = await messages.SendAsync(request, ct);
        return result.Value is { } m
            ? Results.Accepted($"/api/messages/{m.Id}", m)
            : Problems.Of(result.Status, result.Error!, result.Fix);
    }

    private static async Task<IResult> RespondAsync(Guid id, EnvelopeKind kind, string? reply, HttpContext http, MessageService messages, CancellationToken ct)
    {
        var actor = Actor(http);
        if (actor is null)
        {
            return Problems.Of(400, $"{OperatorHeader} must name the person acting (at most 64 characters)", "Send your name or call sign in that header, e.g. 'hotline ack --as NAME'.");
        }
        var result = await messages.RespondAsync(id, kind, actor, string.IsNullOrWhiteSpace(reply) ? null : reply.Trim(), ct);
        return result.Value is { } m ? Results.Ok(m) : Problems.Of(result.Status, result.Error!, result.Fix);
    }

    internal static string? Actor(HttpContext http)
    {
        var value = http.Request.Headers[OperatorHeader].ToString().Trim();
        if (value.Length == 0)
        {
            return "operator";
        }
        return value.Length <= 64 && !value.Any(char.IsControl) ? value : null;
    }

    private static IResult List(IHotlineStore store, PeerDirectory directory, string? peer, string? channel, long? after, int? limit, bool? all)
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
        var list = store.ListMessages(new MessageQuery
        {
            PeerId = peerId,
            Channel = channel,
            After = after ?? 0,
            Limit = limit ?? 100,
            IncludeResponses = all ?? false,
        });
        var views = list.Select(MessageView.From).ToList();
        return Results.Ok(new { messages = views, next = list.Count > 0 ? list[^1].Position : after ?? 0 });
    }

    private static IResult Get(Guid id, IHotlineStore store, ISupervisionStore supervision) =>
        store.FindMessage(id) is { } m
            ? Results.Ok(MessageView.From(m) with { Path = supervision.PathOf(id, m.Direction) is { } p ? $"#{p.Index} {p.Endpoint}" : null })
            : Problems.Of(404, $"no message {id}", "Use an id from GET /api/messages.");
}

public sealed record AckRequest(string? Reply);
