using Hotline.Core.Messages;
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
    public required string Text { get; init; }
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

    public static MessageView From(StoredMessage m)
    {
        var e = m.Envelope;
        return new MessageView
        {
            Id = e.Id,
            Position = m.Position,
            Peer = m.PeerId,
            Direction = m.Direction == Storage.Direction.Outbound ? "out" : "in",
            Seq = e.Seq,
            Channel = e.Channel,
            Precedence = e.Precedence.ToWire(),
            Kind = e.Kind switch
            {
                Protocol.EnvelopeKind.Seen => "seen",
                Protocol.EnvelopeKind.Acknowledgement => "acknowledgement",
                Protocol.EnvelopeKind.Test => "test",
                _ => "message",
            },
            Label = e.Label?.ToString(),
            Created = e.Created,
            Dtg = Hotline.Core.Messages.Dtg.Format(e.Created),
            Text = e.Text,
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

    public static string StateOf(StoredMessage m) =>
        m.Rejected is not null ? "rejected"
        : m.AcknowledgedAt is not null ? "acknowledged"
        : m.SeenAt is not null ? "seen"
        : m.DeliveredAt is not null ? "delivered"
        : "committed";
}
