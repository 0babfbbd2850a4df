namespace Hotline.Core.Transcript.Evidence;

/// <summary>A signed envelope of the transcript. <see cref="Direction"/> is <c>AB</c> or <c>BA</c>.</summary>
public sealed record BundleEntry
{
    public required string Direction { get; init; }
    public required long Seq { get; init; }
    public required byte[] Body { get; init; }
    public required byte[] Signature { get; init; }
}
