using Hotline.Core.Envelopes;

namespace Hotline.Storage;

public enum Direction
{
    Outbound = 0,
    Inbound = 1,
}

/// <summary>An envelope as this node holds it, with its local position and delivery state.</summary>
public sealed record StoredMessage
{
    /// <summary>Local, strictly increasing position: the cursor for listing.</summary>
    public required long Position { get; init; }
    public required string PeerId { get; init; }
    public required Direction Direction { get; init; }
    public required Envelope Envelope { get; init; }
    public required DateTimeOffset CommittedAt { get; init; }
    /// <summary>Outbound: when the peer's signed receipt arrived. Inbound: same as committed.</summary>
    public DateTimeOffset? DeliveredAt { get; init; }
    /// <summary>Outbound: the peer refused this envelope for good, with its reason.</summary>
    public string? Rejected { get; init; }
    /// <summary>When a person on the receiving side first saw the message, and who.</summary>
    public DateTimeOffset? SeenAt { get; init; }
    public string? SeenBy { get; init; }
    /// <summary>When a duty officer on the receiving side acknowledged it, who, and the short reply.</summary>
    public DateTimeOffset? AcknowledgedAt { get; init; }
    public string? AcknowledgedBy { get; init; }
    public string? Reply { get; init; }
}

public sealed record MessageQuery
{
    public string? PeerId { get; init; }
    public string? Channel { get; init; }
    public long After { get; init; }
    /// <summary>Include seen and acknowledgement envelopes (normally shown only as states of their message).</summary>
    public bool IncludeResponses { get; init; }
    public Direction? Direction { get; init; }
    public int Limit { get; init; } = 100;
}

/// <summary>Result of committing a batch that arrived from a peer.</summary>
public sealed record InboundCommit(IReadOnlyList<StoredMessage> New, IReadOnlyList<long> Committed, IReadOnlyList<StateChange> States,
    IReadOnlyList<(long Seq, string Reason)> Conflicts);

/// <summary>A message of ours that the peer reports seen or acknowledged, or one of theirs we did.</summary>
public sealed record StateChange(Guid MessageId, Direction Direction, string PeerId, string State, DateTimeOffset At, string? By, string? Reply);

/// <summary>The outcome of a local operator seeing or acknowledging an inbound message.</summary>
public sealed record ResponseResult(StoredMessage? Response, StoredMessage? Original, string? Error)
{
    public bool Changed => Response is not null;
}

public sealed record SecurityEvent(long Id, DateTimeOffset At, string Kind, string Detail);
