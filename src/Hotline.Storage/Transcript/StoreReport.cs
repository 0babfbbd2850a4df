namespace Hotline.Storage.Transcript;

/// <summary>One thing wrong in the store: which table, which row or entry, and what.</summary>
public sealed record StoreProblem(string Table, string Where, string What)
{
    public override string ToString() => $"{Table}: {Where}: {What}";
}

/// <summary>What <see cref="StoreVerifier"/> found: problems (the record was altered), warnings, and a summary per peer.</summary>
public sealed record StoreReport(IReadOnlyList<StoreProblem> Problems, IReadOnlyList<string> Warnings, IReadOnlyList<PeerRecordSummary> Peers)
{
    public bool Ok => Problems.Count == 0;
}

/// <summary>The transcript with one peer as this node holds it.</summary>
public sealed record PeerRecordSummary
{
    public required string PeerId { get; init; }
    public required string Name { get; init; }
    public required long Outbound { get; init; }
    public required long Inbound { get; init; }
    public required long Refused { get; init; }
    public required int Receipts { get; init; }
    public required int Checkpoints { get; init; }
    /// <summary>What the latest co-signed checkpoint covers (0 when none).</summary>
    public required long CoveredOutbound { get; init; }
    public required long CoveredInbound { get; init; }
    public DateTimeOffset? LatestCheckpoint { get; init; }
    public required int Divergences { get; init; }
}
