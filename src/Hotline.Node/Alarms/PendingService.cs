using Hotline.Core.Messages;
using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Storage;

namespace Hotline.Node.Alarms;

/// <summary>
/// What is waiting for a person, on either side, with its deadlines; and for anything overdue,
/// whether it is a fault (never delivered) or a choice (delivered, not answered).
/// </summary>
public sealed class PendingService(IHotlineStore store, PeerDirectory directory, LinkManager links, LinkPolicy policy, TimeProvider time)
{
    public const int Limit = 500;

    /// <summary>Each side's open messages, highest precedence first and oldest first within it, at most <see cref="Limit"/> a side.</summary>
    public PendingView List()
    {
        var now = time.GetUtcNow();
        List<PendingItem> Side(Direction direction)
        {
            var items = new List<PendingItem>();
            foreach (var precedence in Enum.GetValues<Precedence>().OrderDescending())
            {
                items.AddRange(store.ListOpen(direction, precedence, Limit - items.Count).Select(m => Item(m, now)).OfType<PendingItem>());
                if (items.Count >= Limit)
                {
                    break;
                }
            }
            return items;
        }
        return new PendingView(now, Side(Direction.Inbound), Side(Direction.Outbound));
    }

    public PendingItem? Item(StoredMessage m, DateTimeOffset now)
    {
        var peer = directory.FindById(m.PeerId);
        if (peer is null)
        {
            return null;
        }
        var deadline = policy.Deadlines(peer).For(m.Envelope.Precedence);
        var deliverBy = m.Envelope.Created + deadline.Deliver;
        var acknowledgeBy = m.Envelope.Created + deadline.Acknowledge;
        var deliveryOverdue = m.Direction == Direction.Outbound && m.DeliveredAt is null && now >= deliverBy;
        var ackOverdue = now >= acknowledgeBy;
        var due = m.DeliveredAt is null && m.Direction == Direction.Outbound ? deliverBy : acknowledgeBy;
        return new PendingItem
        {
            Message = MessageView.From(m, policy.Language),
            PeerName = peer.Name,
            DeliverBy = m.Direction == Direction.Outbound ? deliverBy : null,
            AcknowledgeBy = acknowledgeBy,
            Overdue = deliveryOverdue || ackOverdue,
            SecondsLeft = (due - now).TotalSeconds,
            Reason = deliveryOverdue || ackOverdue ? Reason(m, peer, now) : null,
            Fault = deliveryOverdue ? "fault" : ackOverdue ? (m.Direction == Direction.Outbound ? "choice" : "ours") : null,
        };
    }

    /// <summary>Why an overdue message is where it is, told as the sender needs to hear it.</summary>
    public string Reason(StoredMessage m, PeerRecord peer, DateTimeOffset now)
    {
        if (m.Direction == Direction.Inbound)
        {
            return m.SeenAt is { } seen
                ? $"received at {Dtg.Format(m.CommittedAt)}, seen by {m.SeenBy} at {Dtg.Format(seen)}, not acknowledged here"
                : $"received at {Dtg.Format(m.CommittedAt)}, not yet seen or acknowledged here";
        }
        if (m.DeliveredAt is null)
        {
            var link = links.Find(peer.Id);
            if (link is null || link.State == LinkState.Down)
            {
                var since = link is null ? "" : $" since {Dtg.Format(link.StateSince)} ({Ago(now - link.StateSince)})";
                var error = link?.LastError is { } e ? $"; last error: {e}" : "";
                return $"not delivered: the link to {peer.Name} is down{since}{error}. Fault on the line or at the peer node, not a refusal.";
            }
            return $"not delivered: the link to {peer.Name} is up but its node has not confirmed receipt. Fault at the peer node.";
        }
        return m.SeenAt is { } s
            ? $"delivered at {Dtg.Format(m.DeliveredAt.Value)}, seen by {m.SeenBy} at {Dtg.Format(s)}, not acknowledged. The other side has it and has not answered."
            : $"delivered at {Dtg.Format(m.DeliveredAt.Value)}, not yet seen by anyone on the other side. The other side has it and has not answered.";
    }

    private static string Ago(TimeSpan t) => t.TotalHours >= 1 ? $"{t.TotalHours:0.#} h" : t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0} min" : $"{t.TotalSeconds:0} s";
}

public sealed record PendingView(DateTimeOffset Now, IReadOnlyList<PendingItem> AwaitingUs, IReadOnlyList<PendingItem> AwaitingThem)
{
    public IEnumerable<PendingItem> Overdue => AwaitingThem.Concat(AwaitingUs).Where(i => i.Overdue);
}

public sealed record PendingItem
{
    public required MessageView Message { get; init; }
    public required string PeerName { get; init; }
    public DateTimeOffset? DeliverBy { get; init; }
    public required DateTimeOffset AcknowledgeBy { get; init; }
    public required bool Overdue { get; init; }
    /// <summary>Time to the next deadline; negative when overdue.</summary>
    public required double SecondsLeft { get; init; }
    /// <summary>For an overdue message: where it is stuck, in words.</summary>
    public string? Reason { get; init; }
    /// <summary>"fault" (not delivered), "choice" (delivered, not answered) or "ours" (we have not answered).</summary>
    public string? Fault { get; init; }
}
