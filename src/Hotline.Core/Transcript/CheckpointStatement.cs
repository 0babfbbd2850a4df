using Hotline.Core.Identity;

namespace Hotline.Core.Transcript;

/// <summary>
/// What a checkpoint says about a link's transcript: how many entries of each direction it covers,
/// the hash of the last of each, and the Merkle root over all of them. Both nodes sign its encoding.
/// </summary>
public sealed record CheckpointStatement
{
    public required LinkSides Sides { get; init; }
    public required long CountAtoB { get; init; }
    /// <summary>SHA-256 of the body of A→B seq <see cref="CountAtoB"/>; empty when the count is 0.</summary>
    public required byte[] HeadAtoB { get; init; }
    public required long CountBtoA { get; init; }
    public required byte[] HeadBtoA { get; init; }
    public required byte[] TranscriptRoot { get; init; }
    /// <summary>The proposer's clock: a claim, not a trusted time.</summary>
    public required DateTimeOffset Created { get; init; }
    public required NodeKey Proposer { get; init; }

    public long Count(ChainDirection d) => d == ChainDirection.AtoB ? CountAtoB : CountBtoA;

    public byte[] Head(ChainDirection d) => d == ChainDirection.AtoB ? HeadAtoB : HeadBtoA;

    /// <summary>True when both statements describe the same transcript (whoever proposed, whenever).</summary>
    public bool SameStateAs(CheckpointStatement other) =>
        Sides == other.Sides && CountAtoB == other.CountAtoB && CountBtoA == other.CountBtoA
        && HeadAtoB.AsSpan().SequenceEqual(other.HeadAtoB) && HeadBtoA.AsSpan().SequenceEqual(other.HeadBtoA)
        && TranscriptRoot.AsSpan().SequenceEqual(other.TranscriptRoot);

    public override string ToString() =>
        $"A→B {CountAtoB}, B→A {CountBtoA}, root {Convert.ToHexStringLower(TranscriptRoot)[..16]}…";
}
