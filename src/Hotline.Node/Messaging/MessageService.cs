using Hotline.Core.Envelopes;
using Hotline.Core.Messages;
using Hotline.Node.Link;
using Hotline.Storage;

namespace Hotline.Node.Messaging;

/// <summary>Sending: validate, commit, then hand to the link. Expected failures are values.</summary>
public sealed class MessageService(IHotlineStore store, PeerDirectory directory, LinkManager links, EventHub events)
{
    public async Task<SendResult> SendAsync(SendRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Peer))
        {
            return SendResult.Invalid("peer is required", "Name the peer by its name or id; 'hotline peer list' shows them.");
        }
        var peer = directory.Resolve(request.Peer);
        if (peer is null)
        {
            return SendResult.NotFound($"unknown peer '{request.Peer}'", "Use a peer name or id from 'hotline peer list', or pair first with 'hotline peer add CARD'.");
        }
        if (request.Channel is null || !peer.Channels.Contains(request.Channel))
        {
            return SendResult.Invalid($"unknown channel '{request.Channel}' on the link with {peer.Name}",
                $"Use one of: {string.Join(", ", peer.Channels)}.");
        }
        if (request.Text is null || request.Text.Length == 0)
        {
            return SendResult.Invalid("text is empty", "Give the message text.");
        }
        var bytes = EnvelopeLimits.TextBytes(request.Text);
        if (bytes > EnvelopeLimits.MaxTextBytes)
        {
            return SendResult.TooLarge($"text is {bytes} bytes; the limit is {EnvelopeLimits.MaxTextBytes} bytes (64 KiB)",
                "Shorten the message or split it into several.");
        }
        if (!PrecedenceNames.TryParse(request.Precedence, out var precedence))
        {
            return SendResult.Invalid($"unknown precedence '{request.Precedence}'", "Use FLASH, IMMEDIATE, PRIORITY or ROUTINE.");
        }
        var queue = links.Find(peer.Id)?.Queue;
        var stored = await store.AppendOutboundAsync(peer, new EnvelopeDraft
        {
            Channel = request.Channel,
            Text = request.Text,
            Precedence = precedence,
        }, m => queue?.Add(m.Envelope), ct);
        var view = MessageView.From(stored);
        events.Publish(new NodeEvent { Type = EventTypes.MessageCommitted, At = stored.CommittedAt, Peer = peer.Id, Message = view });
        return SendResult.Accepted(view);
    }
}

public sealed record SendRequest
{
    public string? Peer { get; init; }
    public string? Channel { get; init; }
    public string? Text { get; init; }
    public string? Precedence { get; init; }
}

public sealed record SendResult(MessageView? Message, int Status, string? Error, string? Fix)
{
    public static SendResult Accepted(MessageView m) => new(m, 202, null, null);
    public static SendResult Invalid(string e, string fix) => new(null, 400, e, fix);
    public static SendResult NotFound(string e, string fix) => new(null, 404, e, fix);
    public static SendResult TooLarge(string e, string fix) => new(null, 413, e, fix);
}
