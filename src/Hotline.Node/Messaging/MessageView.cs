using Hotline.Core.Messages;
using Hotline.Storage;

namespace Hotline.Node.Messaging;

/// <summary>A message as the API shows it.</summary>
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
    public required DateTimeOffset Created { get; init; }
    public required string Dtg { get; init; }
    public required string Text { get; init; }
    public required string State { get; init; }
    public required DateTimeOffset CommittedAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
    public string? Rejected { get; init; }

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
            Kind = e.Kind.ToString().ToLowerInvariant(),
            Created = e.Created,
            Dtg = Hotline.Core.Messages.Dtg.Format(e.Created),
            Text = e.Text,
            State = m.Rejected is not null ? "rejected" : m.DeliveredAt is not null ? "delivered" : "committed",
            CommittedAt = m.CommittedAt,
            DeliveredAt = m.DeliveredAt,
            Rejected = m.Rejected,
        };
    }
}
