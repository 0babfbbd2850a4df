namespace Hotline.Core.Transcript.Evidence;

/// <summary>A receiver's signed receipt, exactly as received.</summary>
public sealed record BundleReceipt
{
    public required byte[] Body { get; init; }
    public required byte[] Signature { get; init; }
}
