using Hotline.Core.Catalog;
using Hotline.Core.Envelopes;
using Hotline.Core.Messages;
using Hotline.Node.Link;
using Hotline.Protocol;
using Hotline.Storage;

namespace Hotline.Node.Messaging;

/// <summary>Sending and answering: validate, commit, then hand to the link. Expected failures are values.</summary>
public sealed class MessageService(IHotlineStore store, IMessageHistory history, PeerDirectory directory, LinkManager links, LinkPolicy policy, EventHub events)
{
    /// <summary>The language this node renders catalog messages in.</summary>
    public string Language => policy.Language;

    /// <summary>The most messages one <see cref="SendBatchAsync"/> takes: they commit as one operation of the writer.</summary>
    public const int MaxBatch = 100;

    /// <param name="inline">False when the caller goes on with more sends while this one commits (see <see cref="IHotlineStore.AppendOutboundAsync(PeerRecord, EnvelopeDraft, Action{StoredMessage}?, CancellationToken, bool)"/>).</param>
    public async Task<ApiResult<MessageView>> SendAsync(SendRequest request, CancellationToken ct, bool inline = true)
    {
        var (peer, draft, error) = Prepare(request);
        if (error is not null)
        {
            return error;
        }
        var (_, view) = await CommitAsync(peer!, draft!, ct, inline);
        return ApiResult<MessageView>.Ok(view, 202);
    }

    /// <summary>
    /// Several messages, to one peer or several, in one request: each is checked as <see cref="SendAsync"/>
    /// checks one, and they are committed together, in their order, or not at all. An invalid
    /// message fails the whole request, named by its index; nothing is committed then.
    /// </summary>
    public async Task<ApiResult<IReadOnlyList<MessageView>>> SendBatchAsync(IReadOnlyList<SendRequest?>? requests, CancellationToken ct)
    {
        if (requests is null || requests.Count == 0)
        {
            return ApiResult<IReadOnlyList<MessageView>>.Invalid("messages is empty", $"Give 1 to {MaxBatch} messages, each as POST /api/messages takes one.");
        }
        if (requests.Count > MaxBatch)
        {
            return ApiResult<IReadOnlyList<MessageView>>.TooLarge($"{requests.Count} messages; the limit is {MaxBatch} a request", "Split them into several requests.");
        }
        var drafts = new List<(PeerRecord, EnvelopeDraft)>(requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            var (peer, draft, error) = requests[i] is { } request
                ? Prepare(request)
                : (null, null, ApiResult<MessageView>.Invalid("the message is null", "Give each message as an object."));
            if (error is not null)
            {
                return new(default, error.Status, $"messages[{i}]: {error.Error}", error.Fix);
            }
            drafts.Add((peer!, draft!));
        }
        var stored = await store.AppendOutboundAsync(drafts, m => links.Find(m.PeerId)?.Queue.Add(m.Envelope), ct);
        return ApiResult<IReadOnlyList<MessageView>>.Ok([.. stored.Select(Announce)], 202);
    }

    /// <summary>Checks a send request and makes its draft, or says what is wrong with it.</summary>
    private (PeerRecord? Peer, EnvelopeDraft? Draft, ApiResult<MessageView>? Error) Prepare(SendRequest request)
    {
        static (PeerRecord?, EnvelopeDraft?, ApiResult<MessageView>?) Fail(ApiResult<MessageView> error) => (null, null, error);
        if (string.IsNullOrWhiteSpace(request.Peer))
        {
            return Fail(ApiResult<MessageView>.Invalid("peer is required", "Name the peer by its name or id; 'hotline peer list' shows them."));
        }
        var peer = directory.Resolve(request.Peer);
        if (peer is null)
        {
            return Fail(ApiResult<MessageView>.NotFound($"unknown peer '{request.Peer}'", "Use a peer name or id from 'hotline peer list', or pair first with 'hotline peer add CARD'."));
        }
        if (!policy.Offers(peer, request.Channel))
        {
            return Fail(ApiResult<MessageView>.Invalid($"unknown channel '{request.Channel}' on the link with {peer.Name}",
                $"Use one of: {string.Join(", ", policy.Channels(peer))}."));
        }
        var content = Content(request);
        if (content.Error is not null)
        {
            return Fail(content.Error);
        }
        if (!PrecedenceNames.TryParse(request.Precedence, out var precedence))
        {
            return Fail(ApiResult<MessageView>.Invalid($"unknown precedence '{request.Precedence}'", "Use FLASH, IMMEDIATE, PRIORITY or ROUTINE."));
        }
        Label? label;
        if (request.Label is null)
        {
            label = policy.DefaultLabel(peer);
        }
        else if (!Label.TryParse(request.Label, out label) || !policy.Allows(peer, label))
        {
            label = null;
        }
        if (label is null)
        {
            return Fail(ApiResult<MessageView>.Invalid(
                request.Label is null ? $"no label is agreed on the link with {peer.Name}" : $"label '{request.Label}' is not allowed on the link with {peer.Name}",
                $"Use one of: {string.Join("; ", policy.Labels(peer))}."));
        }
        return (peer, new EnvelopeDraft
        {
            Channel = request.Channel,
            Text = content.Text,
            Language = content.Language,
            Template = content.Template,
            Precedence = precedence,
            Label = label,
        }, null);
    }

    private sealed record MessageContent(string Text, string? Language, TemplateRef? Template, ApiResult<MessageView>? Error);

    /// <summary>Free text in a language, or a catalog message with valid values; never both.</summary>
    private MessageContent Content(SendRequest request)
    {
        static MessageContent Fail(ApiResult<MessageView> error) => new("", null, null, error);
        if (request.Template is { } id)
        {
            if (!string.IsNullOrEmpty(request.Text))
            {
                return Fail(ApiResult<MessageView>.Invalid("give either text or a catalog template, not both", "Send the catalog message alone; add free text as a second message."));
            }
            var catalog = MessageCatalog.Default;
            if (catalog.Find(id) is not { } template)
            {
                return Fail(ApiResult<MessageView>.Invalid($"no message '{id}' in catalog {catalog.Version}", "'hotline catalog list' shows the ids."));
            }
            var check = template.Validate(request.Params ?? new Dictionary<string, string>());
            if (!check.Ok)
            {
                return Fail(ApiResult<MessageView>.Invalid($"{id}: {string.Join("; ", check.Errors)}", $"'hotline catalog show {id}' lists its parameters and their types."));
            }
            var values = template.Parameters.Where(p => check.Normalized.ContainsKey(p.Name))
                .Select(p => KeyValuePair.Create(p.Name, check.Normalized[p.Name])).ToList();
            return new MessageContent("", null, new TemplateRef(id, catalog.Version, values), null);
        }
        if (request.Params is { Count: > 0 })
        {
            return Fail(ApiResult<MessageView>.Invalid("params are given without a template", "Name the catalog message with 'template', or drop the params."));
        }
        if (request.Text is null || request.Text.Length == 0)
        {
            return Fail(ApiResult<MessageView>.Invalid("text is empty", "Give the message text, or a catalog template and its params."));
        }
        var bytes = EnvelopeLimits.TextBytes(request.Text);
        if (bytes > EnvelopeLimits.MaxTextBytes)
        {
            return Fail(ApiResult<MessageView>.TooLarge($"text is {bytes} bytes; the limit is {EnvelopeLimits.MaxTextBytes} bytes (64 KiB)",
                "Shorten the message or split it into several."));
        }
        var language = request.Language ?? policy.Language;
        if (!LanguageTags.IsValid(language))
        {
            return Fail(ApiResult<MessageView>.Invalid($"language '{request.Language}' is not a BCP 47 tag", "Use a tag such as ko, zh, en, zh-Hans or en-GB."));
        }
        return new MessageContent(request.Text, language, null, null);
    }

    /// <summary>A person on this side translates a message of either direction; the signed translation goes to the peer too.</summary>
    public async Task<ApiResult<TranslationView>> TranslateAsync(Guid id, string? language, string? text, string translator, CancellationToken ct)
    {
        var message = store.FindMessage(id);
        if (message is null || message.Envelope.Kind != EnvelopeKind.Message)
        {
            return ApiResult<TranslationView>.NotFound($"no message {id}", "Translate a message: use an id from 'hotline inbox' or GET /api/messages.");
        }
        if (!LanguageTags.IsValid(language))
        {
            return ApiResult<TranslationView>.Invalid($"language '{language}' is not a BCP 47 tag", "Name the translation's language, e.g. ko, zh or en.");
        }
        if (string.IsNullOrWhiteSpace(text) || EnvelopeLimits.TextBytes(text) > EnvelopeLimits.MaxTextBytes)
        {
            return ApiResult<TranslationView>.Invalid("the translation's text is empty or longer than 64 KiB", "Give the translated text.");
        }
        var stored = await AnnotateAsync(message, EnvelopeKind.Translation, text, language, translator, ct);
        return stored is null ? PeerGone<TranslationView>() : ApiResult<TranslationView>.Ok(TranslationView.From(stored, []), 202);
    }

    /// <summary>A second person certifies a translation (made on either side); the translator cannot certify their own.</summary>
    public async Task<ApiResult<CertificationView>> CertifyAsync(Guid translationId, string certifier, string? remark, CancellationToken ct)
    {
        var translation = store.FindMessage(translationId);
        if (translation is null || translation.Envelope.Kind != EnvelopeKind.Translation)
        {
            return ApiResult<CertificationView>.NotFound($"no translation {translationId}", "Use a translation id from the message's translations (GET /api/messages/ID).");
        }
        if (remark is not null && EnvelopeLimits.TextBytes(remark) > MaxReplyBytes)
        {
            return ApiResult<CertificationView>.Invalid($"the remark is longer than {MaxReplyBytes} bytes", "Keep the remark short.");
        }
        var ours = translation.Direction == Direction.Outbound;
        if (ours && string.Equals(translation.Envelope.Actor, certifier, StringComparison.OrdinalIgnoreCase))
        {
            return ApiResult<CertificationView>.Conflict($"{translation.Envelope.Actor} made this translation", "A second person certifies a translation.");
        }
        var already = history.ListTranslations([translation.Envelope.Reference!.Value])
            .Any(c => c.Envelope.Kind == EnvelopeKind.Certification && c.Envelope.Reference == translationId && c.Direction == Direction.Outbound
                      && string.Equals(c.Envelope.Actor, certifier, StringComparison.OrdinalIgnoreCase));
        if (already)
        {
            return ApiResult<CertificationView>.Conflict($"{certifier} has already certified translation {translationId}", "Nothing to do.");
        }
        var stored = await AnnotateAsync(translation, EnvelopeKind.Certification, remark ?? "", null, certifier, ct);
        return stored is null ? PeerGone<CertificationView>()
            : ApiResult<CertificationView>.Ok(TranslationView.From(translation, [stored]).Certifications[0], 202);
    }

    /// <summary>Commits a signed translation or certification naming <paramref name="subject"/>, for the same peer, channel and precedence.</summary>
    private async Task<StoredMessage?> AnnotateAsync(StoredMessage subject, EnvelopeKind kind, string text, string? language, string actor, CancellationToken ct)
    {
        if (directory.FindById(subject.PeerId) is not { } peer)
        {
            return null;
        }
        var e = subject.Envelope;
        var (stored, _) = await CommitAsync(peer, new EnvelopeDraft
        {
            Kind = kind,
            Channel = e.Channel,
            Precedence = e.Precedence,
            Label = e.Label,
            Reference = e.Id,
            Text = text,
            Language = language,
            Actor = actor,
        }, ct);
        return stored;
    }

    /// <summary>Signs and commits an envelope to the peer, hands it to the link once committed, and announces it.</summary>
    private async Task<(StoredMessage Stored, MessageView View)> CommitAsync(PeerRecord peer, EnvelopeDraft draft, CancellationToken ct, bool inline = true)
    {
        var queue = links.Find(peer.Id)?.Queue;
        var stored = await store.AppendOutboundAsync(peer, draft, m => queue?.Add(m.Envelope), ct, inline);
        return (stored, Announce(stored));
    }

    /// <summary>Tells the live event stream of a message just committed; returns its view.</summary>
    private MessageView Announce(StoredMessage stored)
    {
        var view = MessageView.From(stored, policy.Language);
        events.Publish(new NodeEvent { Type = EventTypes.MessageCommitted, At = stored.CommittedAt, Peer = stored.PeerId, Message = view });
        return view;
    }

    private static ApiResult<T> PeerGone<T>() => ApiResult<T>.NotFound("the message's peer is no longer paired", "Nothing can be sent to it.");

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
        var view = MessageView.From(result.Original!, policy.Language);
        if (result.Changed)
        {
            var state = kind == EnvelopeKind.Acknowledgement ? "acknowledged" : "seen";
            events.Publish(NodeEvent.ForState(new StateChange(id, Direction.Inbound, peer.Id, state, result.Response!.CommittedAt, actor, reply)));
        }
        return ApiResult<MessageView>.Ok(view, 200);
    }

    public const int MaxReplyBytes = 1024;
}

/// <summary>POST /api/messages/batch: up to <see cref="MessageService.MaxBatch"/> messages, committed together.</summary>
public sealed record SendBatchRequest(IReadOnlyList<SendRequest?>? Messages);

/// <summary>The committed messages of a batch, in the request's order.</summary>
public sealed record SendBatchResponse(IReadOnlyList<MessageView> Messages);

public sealed record SendRequest
{
    public string? Peer { get; init; }
    public string? Channel { get; init; }
    public string? Text { get; init; }
    public string? Precedence { get; init; }
    public string? Label { get; init; }
    /// <summary>BCP 47 tag of free text; the node's language when absent.</summary>
    public string? Language { get; init; }
    /// <summary>A standard catalog message id (then <see cref="Text"/> stays empty) and its parameter values.</summary>
    public string? Template { get; init; }
    public IReadOnlyDictionary<string, string>? Params { get; init; }
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
