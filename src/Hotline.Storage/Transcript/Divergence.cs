namespace Hotline.Storage.Transcript;

/// <summary>
/// The two nodes' records part: a conflicting envelope, a broken chain link, or checkpoint
/// statements that differ. Direction and seq name the first entry where they part, when known.
/// </summary>
public sealed record Divergence
{
    public long Id { get; init; }
    public required string PeerId { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary><see cref="DivergenceKinds"/>.</summary>
    public required string Kind { get; init; }
    public Direction? Direction { get; init; }
    public long? Seq { get; init; }
    public required string Detail { get; init; }
    /// <summary>What the peer signed that disagrees (an envelope body or a checkpoint statement).</summary>
    public byte[]? EvidenceBody { get; init; }
    public byte[]? EvidenceSignature { get; init; }
}
