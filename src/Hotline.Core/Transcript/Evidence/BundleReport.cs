using Hotline.Core.Envelopes;
using Hotline.Core.Pairing;
using Hotline.Protocol;

namespace Hotline.Core.Transcript.Evidence;

/// <summary>What <see cref="BundleVerifier"/> found, and the bundle's content once checked.</summary>
public sealed record BundleReport
{
    /// <summary>Everything wrong, the most telling first. Empty when the bundle verifies.</summary>
    public required IReadOnlyList<string> Problems { get; init; }
    public bool Ok => Problems.Count == 0;
    public EvidenceBundle? Bundle { get; init; }
    public PairingCard? CardA { get; init; }
    public PairingCard? CardB { get; init; }
    public LinkSides? Sides { get; init; }
    public IReadOnlyList<VerifiedEntry> Entries { get; init; } = [];
    public IReadOnlyList<CheckpointStatement> Checkpoints { get; init; } = [];
    /// <summary>Receipts that verify, with the node that signed each.</summary>
    public IReadOnlyList<(ChainDirection Direction, ReceiptBody Body)> Receipts { get; init; } = [];

    public string NameOf(ChainDirection sender) => (sender == ChainDirection.AtoB ? CardA?.Name : CardB?.Name) ?? "?";
}

/// <summary>An entry of the bundle that verifies, with what ties it to a co-signed checkpoint.</summary>
public sealed record VerifiedEntry
{
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
