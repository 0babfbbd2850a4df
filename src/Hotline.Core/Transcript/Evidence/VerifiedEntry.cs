using Hotline.Core.Envelopes;

namespace Hotline.Core.Transcript.Evidence;

/// <summary>An entry of the bundle that verifies, with what ties it to a co-signed checkpoint.</summary>
public sealed record VerifiedEntry
{
    /// <summary>Values of <see cref="How"/>.</summary>
    public const string ByProof = "inclusion proof";
    public const string ByPrefix = "complete prefix";

    public required ChainEntry Entry { get; init; }
    public required Envelope Envelope { get; init; }
    /// <summary>Index of the latest checkpoint that covers the entry through a proof or through the whole prefix; null when none does.</summary>
    public int? Checkpoint { get; init; }
    /// <summary>How the checkpoint covers it: "inclusion proof" or "complete prefix".</summary>
    public string? How { get; init; }
    /// <summary>When a receipt from the recipient covers it.</summary>
    public DateTimeOffset? Receipted { get; init; }
    public string? RejectedByRecipient { get; init; }
}
