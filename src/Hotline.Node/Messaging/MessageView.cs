using Hotline.Core.Catalog;
using Hotline.Core.Messages;
using Hotline.Protocol;
using Hotline.Storage;

namespace Hotline.Node.Messaging;

/// <summary>A message as the API shows it: content, date-time group, and how far it got.</summary>
public sealed record MessageView
{
    public required Guid Id { get; init; }
    public required long Position { get; init; }
    public required string Peer { get; init; }
    public required string Direction { get; init; }
    public required long Seq { get; init; }
    public required string Channel { get; init; }
    public required string Precedence { get; init; }
    public required string Kind { get; init; }
    public string? Label { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required string Dtg { get; init; }
    /// <summary>Free text as written, or a catalog message rendered in <see cref="Language"/>.</summary>
    public required string Text { get; init; }
    /// <summary>The language of <see cref="Text"/>: the sender's tag for free text, the rendering language for a catalog message.</summary>
    public string? Language { get; init; }
    /// <summary>A standard catalog message: what travelled (id, catalog version, values).</summary>
    public TemplateView? Template { get; init; }
    public Guid? Reference { get; init; }
    public string? Actor { get; init; }
    /// <summary>committed, delivered, seen, acknowledged, or rejected.</summary>
    public required string State { get; init; }
    public required DateTimeOffset CommittedAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
    public string? Rejected { get; init; }
    public DateTimeOffset? SeenAt { get; init; }
    public string? SeenBy { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; init; }
    public string? AcknowledgedBy { get; init; }
    public string? Reply { get; init; }
    /// <summary>Single-message view only: the path that carried it (<c>#index endpoint</c>), once delivered.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }
    /// <summary>Translations attached by either side, with their certifications; null when not asked for.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<TranslationView>? Translations { get; init; }

    /// <param name="language">Language a catalog message is rendered in (ko, zh or en).</param>
    public static MessageView From(StoredMessage m, string language)
    {
        var e = m.Envelope;
        var rendered = e.Template is { } t ? CatalogText.Render(t, language) : null;
        return new MessageView
        {
            Id = e.Id,
            Position = m.Position,
            Peer = m.PeerId,
            Direction = DirectionName(m.Direction),
            Seq = e.Seq,
            Channel = e.Channel,
            Precedence = e.Precedence.ToWire(),
            Kind = KindName(e.Kind),
            Label = e.Label?.ToString(),
            Created = e.Created,
            Dtg = Hotline.Core.Messages.Dtg.Format(e.Created),
            Text = rendered?.Text ?? e.Text,
            Language = rendered is null ? e.Language : language,
            Template = rendered is null ? null : new TemplateView(e.Template!.Id, e.Template.CatalogVersion, e.Template.ValueMap(), rendered.Warning),
            Reference = e.Reference,
            Actor = e.Actor,
            State = StateOf(m),
            CommittedAt = m.CommittedAt,
            DeliveredAt = m.DeliveredAt,
            Rejected = m.Rejected,
            SeenAt = m.SeenAt,
            SeenBy = m.SeenBy,
            AcknowledgedAt = m.AcknowledgedAt,
            AcknowledgedBy = m.AcknowledgedBy,
            Reply = m.Reply,
        };
    }

    /// <summary>The views with their translations and certifications, read in one query.</summary>
    public static IReadOnlyList<MessageView> WithTranslations(IReadOnlyList<MessageView> views, IMessageHistory history)
    {
        var annotations = history.ListTranslations(views.Where(v => v.Kind == "message").Select(v => v.Id).ToList());
        if (annotations.Count == 0)
        {
            return views;
        }
        var certifications = annotations.Where(a => a.Envelope.Kind == EnvelopeKind.Certification).ToLookup(a => a.Envelope.Reference!.Value);
        var translations = annotations.Where(a => a.Envelope.Kind == EnvelopeKind.Translation)
            .ToLookup(a => a.Envelope.Reference!.Value, a => TranslationView.From(a, certifications[a.Envelope.Id]));
        return views.Select(v => translations.Contains(v.Id) ? v with { Translations = translations[v.Id].ToList() } : v).ToList();
    }

    public static string StateOf(StoredMessage m) =>
        m.Rejected is not null ? "rejected"
        : m.AcknowledgedAt is not null ? "acknowledged"
        : m.SeenAt is not null ? "seen"
        : m.DeliveredAt is not null ? "delivered"
        : "committed";

    internal static string DirectionName(Storage.Direction d) => d == Storage.Direction.Outbound ? "out" : "in";

    private static string KindName(EnvelopeKind kind) => kind switch
    {
        EnvelopeKind.Seen => "seen",
        EnvelopeKind.Acknowledgement => "acknowledgement",
        EnvelopeKind.Test => "test",
        EnvelopeKind.Translation => "translation",
        EnvelopeKind.Certification => "certification",
        _ => "message",
    };
}

/// <summary>What travelled for a catalog message, and why its rendering may need a second look.</summary>
public sealed record TemplateView(string Id, string CatalogVersion, IReadOnlyDictionary<string, string> Values, string? Warning);

/// <summary>A translation of a message, made on this side ("out") or the peer's ("in"), with who certified it.</summary>
public sealed record TranslationView
{
    public required Guid Id { get; init; }
    public required string Direction { get; init; }
    public required string Language { get; init; }
    public required string Text { get; init; }
    public required string TranslatedBy { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required string Dtg { get; init; }
    /// <summary>committed, delivered or rejected: whether the other side holds it.</summary>
    public required string State { get; init; }
    public required IReadOnlyList<CertificationView> Certifications { get; init; }

    public static TranslationView From(StoredMessage t, IEnumerable<StoredMessage> certifications) => new()
    {
        Id = t.Envelope.Id,
        Direction = MessageView.DirectionName(t.Direction),
        Language = t.Envelope.Language ?? "",
        Text = t.Envelope.Text,
        TranslatedBy = t.Envelope.Actor ?? "?",
        Created = t.Envelope.Created,
        Dtg = Hotline.Core.Messages.Dtg.Format(t.Envelope.Created),
        State = MessageView.StateOf(t),
        Certifications = certifications.Select(c => new CertificationView(c.Envelope.Id, MessageView.DirectionName(c.Direction),
            c.Envelope.Actor ?? "?", c.Envelope.Created, Hotline.Core.Messages.Dtg.Format(c.Envelope.Created), c.Envelope.Text.Length > 0 ? c.Envelope.Text : null)).ToList(),
    };
}

public sealed record CertificationView(Guid Id, string Direction, string CertifiedBy, DateTimeOffset Created, string Dtg, string? Remark);
