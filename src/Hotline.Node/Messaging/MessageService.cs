using Hotline.Core.Envelopes;
using Hotline.Core.Messages;
using Hotline.Node.Link;
using Hotline.Protocol;
using Hotline.Storage;

namespace Hotline.Node.Messaging;

/// <summary>Sending and answering: validate, commit, then hand to the link. Expected failures are values.</summary>
public sealed class MessageService(IHotlineStore store, PeerDirectory directory, LinkManager links, LinkPolicy policy, EventHub events)
{
    public async Task<ApiResult<MessageView>> SendAsync(SendRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Peer))
        {
            return ApiResult<MessageView>.Invalid("peer is required", "Name the peer by its name or id; 'hotline peer list' shows them.");
        }
        var peer = directory.Resolve(request.Peer);
        if (peer is null)
        {
            return ApiResult<MessageView>.NotFound($"unknown peer '{request.Peer}'", "Use a peer name or id from 'hotline peer list', or pair first with 'hotline peer add CARD'.");
        }
        var channels = policy.Channels(peer);
        if (request.Channel is null || !channels.Contains(request.Channel))
        {
            return ApiResult<MessageView>.Invalid($"unknown channel '{request.Channel}' on the link with {peer.Name}",
                $"Use one of: {string.Join(", ", channels)}.");
        }
        if (request.Text is null || request.Text.Length == 0)
        {
            return ApiResult<MessageView>.Invalid("text is empty", "Give the message text.");
        }
        var bytes = EnvelopeLimits.TextBytes(request.Text);
        if (bytes > EnvelopeLimits.MaxTextBytes)
        {
            return ApiResult<MessageView>.TooLarge($"text is {bytes} bytes; the limit is {EnvelopeLimits.MaxTextBytes} bytes (64 KiB)",
                "Shorten the message or split it into several.");
        }
        if (!PrecedenceNames.TryParse(request.Precedence, out var precedence))
        {
            return ApiResult<MessageView>.Invalid($"unknown precedence '{request.Precedence}'", "Use FLASH, IMMEDIATE, PRIORITY or ROUTINE.");
        }
        var allowed = policy.Labels(peer);
        Label? label;
        if (request.Label is null)
        {
            label = allowed.FirstOrDefault();
        }
        else if (!Label.TryParse(request.Label, out label) || !allowed.Contains(label))
        {
            label = null;
        }
        if (label is null)
        {
            return ApiResult<MessageView>.Invalid(
                request.Label is null ? $"no label is agreed on the link with {peer.Name}" : $"label '{request.Label}' is not allowed on the link with {peer.Name}",
                $"Use one of: {string.Join("; ", allowed)}.");
        }
        var queue = links.Find(peer.Id)?.Queue;
        var stored = await store.AppendOutboundAsync(peer, new EnvelopeDraft
        {
            Channel = request.Channel,
            Text = request.Text,
            Precedence = precedence,
            Label = label,
        }, m => queue?.Add(m.Envelope), ct);
        var view = MessageView.From(stored);
        events.Publish(new NodeEvent { Type = EventTypes.MessageCommitted, At = stored.CommittedAt, Peer = peer.Id, Message = view });
        return ApiResult<MessageView>.Ok(view, 202);
    }

    /// <summary>A person on this side saw, or acknowledged, a message the peer sent.</summary>
    public async Task<ApiResult<MessageView>> RespondAsync(Guid id, EnvelopeKind kind, string actor, string? reply, CancellationToken ct)
    {
        if (reply is not null && EnvelopeLimits.TextBytes(reply) > MaxReplyBytes)
        {
            return ApiResult<MessageView>.Invalid($"the reply is longer than {MaxReplyBytes} bytes", "Keep the reply short; send a message for anything longer.");
        }
        var message = store.FindMessage(id, Direction.Inbound);
        var peer = message is null ? null : directory.FindById(message.PeerId);
        if (message is null || peer is null)
        {
            return store.FindMessage(id, Direction.Outbound) is not null
                ? ApiResult<MessageView>.Invalid($"message {id} was sent by this node", "Only the receiving side acknowledges a message.")
                : ApiResult<MessageView>.NotFound($"no message {id}", "Use an id from 'hotline inbox' or 'hotline pending'.");
        }
        if (message.Envelope.Kind != EnvelopeKind.Message)
        {
            return ApiResult<MessageView>.Invalid($"{id} is not a message", "Acknowledge the message itself.");
        }
        var queue = links.Find(peer.Id)?.Queue;
        var result = await store.RespondAsync(peer, id, kind, actor, reply, m => queue?.Add(m.Envelope), ct);
        if (result.Error is not null)
        {
            return ApiResult<MessageView>.Conflict(result.Error, "Nothing to do: the message already carries that state.");
        }
        var view = MessageView.From(result.Original!);
        if (result.Changed)
        {
            var state = kind == EnvelopeKind.Acknowledgement ? "acknowledged" : "seen";
            events.Publish(NodeEvent.ForState(new StateChange(id, Direction.Inbound, peer.Id, state, result.Response!.CommittedAt, actor, reply)));
        }
        return ApiResult<MessageView>.Ok(view, 200);
    }

    public const int MaxReplyBytes = 1024;
}

public sealed record SendRequest
{
    public string? Peer { get; init; }
    public string? Channel { get; init; }
    public string? Text { get; init; }
    public string? Precedence { get; init; }
    public string? Label { get; init; }
}

/// <summary>An API outcome: a value with its status, or a problem with a fix.</summary>
public sealed record ApiResult<T>(T? Value, int Status, string? Error, string? Fix)
{
    public static ApiResult<T> Ok(T value, int status) => new(value, status, null, null);
    public static ApiResult<T> Invalid(string e, string fix) => new(default, 400, e, fix);
    public static ApiResult<T> NotFound(string e, string fix) => new(default, 404, e, fix);
    public static ApiResult<T> Conflict(string e, string fix) => new(default, 409, e, fix);
    public static ApiResult<T> TooLarge(string e, string fix) => new(default, 413, e, fix);
}
