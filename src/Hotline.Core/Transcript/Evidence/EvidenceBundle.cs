using System.Text.Json;

namespace Hotline.Core.Transcript.Evidence;

/// <summary>
/// A self-contained, signed extract of a link's transcript (docs/protocol.md §14): the signed
/// entries, the peer's receipts, co-signed checkpoints with Merkle inclusion proofs, and both
/// nodes' pairing cards. The file is the canonical JSON of this record; the exporting node signs
/// it with <see cref="Signature"/> empty.
/// </summary>
public sealed record EvidenceBundle
{
    public const string FormatName = "hotline-evidence";
    public const int CurrentVersion = 1;

    public required string Format { get; init; }
    public required int Version { get; init; }
    public required DateTimeOffset ExportedAt { get; init; }
    /// <summary>Identity key of the node that exported and signed the bundle.</summary>
    public required byte[] ExportedBy { get; init; }
    public required BundleScope Scope { get; init; }
    /// <summary>The pairing cards of node A (lower key) and node B, as each signed it.</summary>
    public required IReadOnlyList<JsonElement> Cards { get; init; }
    /// <summary>Disclosed entries, by direction (A→B first), then seq.</summary>
    public required IReadOnlyList<BundleEntry> Entries { get; init; }
    public required IReadOnlyList<BundleReceipt> Receipts { get; init; }
    public required IReadOnlyList<BundleCheckpoint> Checkpoints { get; init; }
    public required IReadOnlyList<BundleProof> Proofs { get; init; }
    public required byte[] Signature { get; init; }
}
