using System.Text.Json;
using System.Text.Json.Serialization;

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

/// <summary>What was exported: <c>all</c>, a <c>window</c> of creation times, or <c>selected</c> ids.</summary>
public sealed record BundleScope
{
    public const string All = "all";
    public const string Window = "window";
    public const string Selected = "selected";

    public required string Kind { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public IReadOnlyList<Guid>? Ids { get; init; }
}

/// <summary>A signed envelope of the transcript. <see cref="Direction"/> is <c>AB</c> or <c>BA</c>.</summary>
public sealed record BundleEntry
{
    public required string Direction { get; init; }
    public required long Seq { get; init; }
    public required byte[] Body { get; init; }
    public required byte[] Signature { get; init; }
}

/// <summary>A receiver's signed receipt, exactly as received.</summary>
public sealed record BundleReceipt
{
    public required byte[] Body { get; init; }
    public required byte[] Signature { get; init; }
}

/// <summary>A checkpoint body with the signatures of node A and node B.</summary>
public sealed record BundleCheckpoint
{
    public required byte[] Body { get; init; }
    public required byte[] SignatureA { get; init; }
    public required byte[] SignatureB { get; init; }
}

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

public static class BundleJson
{
    /// <summary>The one serialisation of a bundle; the file must be exactly this, plus a final line feed.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NewLine = "\n",
    };

    public static byte[] Serialize(EvidenceBundle bundle) =>
        [.. JsonSerializer.SerializeToUtf8Bytes(bundle, Options), (byte)'\n'];

    public static string DirectionName(ChainDirection d) => d == ChainDirection.AtoB ? "AB" : "BA";

    public static ChainDirection? ParseDirection(string text) => text switch
    {
        "AB" => ChainDirection.AtoB,
        "BA" => ChainDirection.BtoA,
        _ => null,
    };
}
