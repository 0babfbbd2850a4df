namespace Hotline.Core.Transcript.Evidence;

/// <summary>
/// Proves that the entry (<see cref="Direction"/>, <see cref="Seq"/>) is leaf seq−1 of its
/// direction's tree in checkpoint number <see cref="Checkpoint"/> (an index into the bundle's list):
/// the RFC 9162 audit path, and the root of the other direction's tree.
/// </summary>
public sealed record BundleProof
{
    public required string Direction { get; init; }
    public required long Seq { get; init; }
    public required int Checkpoint { get; init; }
    public required IReadOnlyList<byte[]> Path { get; init; }
    public required byte[] OtherRoot { get; init; }
}
