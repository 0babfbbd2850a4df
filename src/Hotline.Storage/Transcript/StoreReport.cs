namespace Hotline.Storage.Transcript;

/// <summary>What <see cref="StoreVerifier"/> found: problems (the record was altered), warnings, and a summary per peer.</summary>
public sealed record StoreReport(IReadOnlyList<StoreProblem> Problems, IReadOnlyList<string> Warnings, IReadOnlyList<PeerRecordSummary> Peers)
{
    public bool Ok => Problems.Count == 0;
}
