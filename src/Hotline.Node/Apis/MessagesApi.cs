using Hotline.Core.Catalog;
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
        api.MapPost("/messages/batch", SendBatchAsync);
        api.MapGet("/messages", List);
        api.MapGet("/messages/{id:guid}", Get);
        api.MapPost("/messages/{id:guid}/seen", (Guid id, HttpContext http, MessageService messages, CancellationToken ct) =>
            RespondAsync(id, EnvelopeKind.Seen, null, http, messages, ct));
        api.MapPost("/messages/{id:guid}/ack", (Guid id, AckRequest? request, HttpContext http, MessageService messages, CancellationToken ct) =>
            RespondAsync(id, EnvelopeKind.Acknowledgement, request?.Reply, http, messages, ct));
        api.MapPost("/messages/{id:guid}/translations", TranslateAsync);
        api.MapPost("/translations/{id:guid}/certify", CertifyAsync);
        return api;
    }

    private static async Task<IResult> SendAsync(HttpRequest http, MessageService messages, CancellationToken ct)
    {
        var (request, problem) = await JsonBody.ReadAsync(http, ApiJson.Default.SendRequest, ct);
        if (request is null)
        {
            return problem!;
        }
        var result = await messages.SendAsync(request, ct);
        return result.Value is { } m
            ? Results.Accepted($"/api/messages/{m.Id}", m)
            : Problems.Of(result.Status, result.Error!, result.Fix);
    }

    private static async Task<IResult> SendBatchAsync(HttpRequest http, MessageService messages, CancellationToken ct)
    {
        var (request, problem) = await JsonBody.ReadAsync(http, ApiJson.Default.SendBatchRequest, ct);
        if (request is null)
        {
            return problem!;
        }
        var result = await messages.SendBatchAsync(request.Messages, ct);
        return result.Value is { } list
            ? Results.Accepted((string?)null, new SendBatchResponse(list))
            : Problems.Of(result.Status, result.Error!, result.Fix);
    }

    private static async Task<IResult> TranslateAsync(Guid id, TranslateRequest request, HttpContext http, MessageService messages, CancellationToken ct)
    {
        if (Actor(http) is not { } actor)
        {
            return NoActor();
        }
        var result = await messages.TranslateAsync(id, request.Language, request.Text, actor, ct);
        return result.Value is { } t ? Results.Accepted($"/api/messages/{id}", t) : Problems.Of(result.Status, result.Error!, result.Fix);
    }

    private static async Task<IResult> CertifyAsync(Guid id, CertifyRequest? request, HttpContext http, MessageService messages, CancellationToken ct)
    {
        if (Actor(http) is not { } actor)
        {
            return NoActor();
        }
        var result = await messages.CertifyAsync(id, actor, string.IsNullOrWhiteSpace(request?.Remark) ? null : request.Remark.Trim(), ct);
        return result.Value is { } c ? Results.Accepted((string?)null, c) : Problems.Of(result.Status, result.Error!, result.Fix);
    }

    private static IResult NoActor() =>
        Problems.Of(400, $"{OperatorHeader} must name the person acting (at most 64 characters)", "Send your name or call sign in that header, e.g. 'hotline ack --as NAME'.");

    private static async Task<IResult> RespondAsync(Guid id, EnvelopeKind kind, string? reply, HttpContext http, MessageService messages, CancellationToken ct)
    {
        if (Actor(http) is not { } actor)
        {
            return NoActor();
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

    private static IResult List(IHotlineStore store, IMessageHistory history, PeerDirectory directory, MessageService messages,
        string? peer, string? channel, long? after, int? limit, bool? all, string? lang)
    {
        if (Language(lang, messages) is not { } language)
        {
            return BadLanguage(lang);
        }
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
        var views = MessageView.WithTranslations(list.Select(m => MessageView.From(m, language)).ToList(), history);
        return Results.Ok(new { messages = views, next = list.Count > 0 ? list[^1].Position : after ?? 0 });
    }

    private static IResult Get(Guid id, string? lang, IHotlineStore store, IMessageHistory history, ISupervisionStore supervision, MessageService messages)
    {
        if (Language(lang, messages) is not { } language)
        {
            return BadLanguage(lang);
        }
        if (store.FindMessage(id) is not { } m)
        {
            return Problems.Of(404, $"no message {id}", "Use an id from GET /api/messages.");
        }
        var view = MessageView.From(m, language) with { Path = supervision.PathOf(id, m.Direction) is { } p ? $"#{p.Index} {p.Endpoint}" : null };
        return Results.Ok(MessageView.WithTranslations([view], history)[0]);
    }

    /// <summary>The language to render catalog messages in: the one asked for, else the node's.</summary>
    private static string? Language(string? lang, MessageService messages) =>
        lang is null ? messages.Language : CatalogLanguages.Normalize(lang);

    private static IResult BadLanguage(string? lang) =>
        Problems.Of(400, $"lang '{lang}' is not a language the catalog is written in", "Use lang=ko, zh or en.");
}

public sealed record AckRequest(string? Reply);

public sealed record TranslateRequest(string? Language, string? Text);

public sealed record CertifyRequest(string? Remark);
