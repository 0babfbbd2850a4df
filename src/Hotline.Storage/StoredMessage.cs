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
}

public sealed record MessageQuery
{
    public string? PeerId { get; init; }
    public string? Channel { get; init; }
    public long After { get; init; }
    public int Limit { get; init; } = 100;
}

/// <summary>Result of committing a batch that arrived from a peer.</summary>
public sealed record InboundCommit(IReadOnlyList<StoredMessage> New, IReadOnlyList<long> Committed);

public sealed record SecurityEvent(long Id, DateTimeOffset At, string Kind, string Detail);
