namespace Hotline.Storage.Transcript;

/// <summary>
/// The store's side of the transcript: entries the receiver refused (still part of the chain),
/// co-signed checkpoints, and divergences. Write methods return after the commit.
/// </summary>
public interface ITranscriptStore
{
    /// <summary>
    /// Keeps signed envelopes of the peer whose content this node refused: they stay entries of the
    /// chain. Returns those that break the chain (they are not kept) with the reason.
    /// </summary>
    Task<IReadOnlyList<(long Seq, string Reason)>> KeepRefusedAsync(string peerId, IReadOnlyList<RefusedEntry> refused, CancellationToken ct = default);

    /// <summary>The highest sequence number held in a direction (0 when none).</summary>
    long MaxSeq(string peerId, Direction direction);

    /// <summary>The largest n such that the peer has receipted (committed or refused) our envelopes 1..n.</summary>
    long SettledOutboundPrefix(string peerId);

    /// <summary>The largest n such that this node holds the peer's entries 1..n, given that it holds 1..<paramref name="known"/>.</summary>
    long HeldInboundPrefix(string peerId, long known = 0);

    /// <summary>Visits the entry hashes of a direction with seq in [first, last], in sequence order, until <paramref name="visit"/> returns false.</summary>
    void ForEachEntryHash(string peerId, Direction direction, long first, long last, Func<long, byte[], bool> visit);

    Task<StoredCheckpoint> StoreCheckpointAsync(string peerId, byte[] body, byte[] signatureA, byte[] signatureB, DateTimeOffset created, CancellationToken ct = default);

    StoredCheckpoint? LatestCheckpoint(string peerId);

    /// <summary>
    /// Keeps this node's Merkle frontiers of a link (in one transaction), each if it reaches further
    /// than the one kept for its direction: after a restart, a checkpoint hashes only the entries
    /// after them, not the directions from seq 1.
    /// </summary>
    Task KeepFrontiersAsync(string peerId, IReadOnlyList<(Direction Direction, StoredFrontier Frontier)> frontiers, CancellationToken ct = default);

    /// <summary>The frontiers kept for a link, at most one per direction.</summary>
    IReadOnlyList<(Direction Direction, StoredFrontier Frontier)> KeptFrontiers(string peerId);

    IReadOnlyList<StoredCheckpoint> ListCheckpoints(string peerId, int limit = 100);

    Task<Divergence> RecordDivergenceAsync(Divergence divergence, CancellationToken ct = default);

    IReadOnlyList<Divergence> ListDivergences(string peerId, int limit = 100);
}

/// <summary>
/// A direction's Merkle frontier after <see cref="Count"/> entries: the roots of its subtrees
/// (<c>MerkleFrontier.Hashes</c>) and the hash of entry <see cref="Count"/>.
/// </summary>
public sealed record StoredFrontier(long Count, byte[] Head, byte[] Hashes);
