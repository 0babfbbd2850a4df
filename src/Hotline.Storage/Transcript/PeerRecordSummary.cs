namespace Hotline.Storage.Transcript;

/// <summary>The transcript with one peer as this node holds it.</summary>
public sealed record PeerRecordSummary
{
    public required string PeerId { get; init; }
    public required string Name { get; init; }
    public required long Outbound { get; init; }
    public required long Inbound { get; init; }
    public required long Refused { get; init; }
    public required int Receipts { get; init; }
    public required int Checkpoints { get; init; }
    /// <summary>What the latest co-signed checkpoint covers (0 when none).</summary>
    public required long CoveredOutbound { get; init; }
    public required long CoveredInbound { get; init; }
    public DateTimeOffset? LatestCheckpoint { get; init; }
    public required int Divergences { get; init; }
}
