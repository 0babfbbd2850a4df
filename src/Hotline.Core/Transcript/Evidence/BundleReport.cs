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
