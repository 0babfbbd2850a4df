namespace Hotline.Core.Transcript.Evidence;

/// <summary>A checkpoint body with the signatures of node A and node B.</summary>
public sealed record BundleCheckpoint
{
    public required byte[] Body { get; init; }
    public required byte[] SignatureA { get; init; }
    public required byte[] SignatureB { get; init; }
}
