using Hotline.Core.Transcript;
using Hotline.Storage;
using Hotline.Storage.Transcript;

namespace Hotline.Node.Transcript;

/// <summary>
/// This node's view of one link's transcript: the prefixes it can state, and the Merkle roots of
/// its directions. Keeps the frontiers of the last counts it computed, so that a checkpoint reads
/// only the entries after the nearest of them: its own next proposal, and the peer's proposal of a
/// count a little below its own (both nodes propose while a flood runs), which otherwise meant
/// reading and hashing the direction again from seq 1.
/// </summary>
/// <remarks>
/// The frontiers of each co-signed checkpoint are stored (<see cref="PersistAsync"/>) and are where
/// it starts after a restart. Before, the first checkpoint after a start hashed each direction from
/// seq 1: on a link with 1.25 million entries, 7.4 s of one core on each node, in the seconds when
/// the node came back and its backlog drained (bench/RESULTS.md, sixteenth session).
/// </remarks>
internal sealed class LocalTranscript(ITranscriptStore store, string peerId)
{
    /// <summary>Frontiers kept per direction; each holds O(log n) hashes.</summary>
    internal const int Kept = 8;

    // Per direction: frontiers of counts computed before, each with the hash of its last entry.
    private readonly List<(MerkleFrontier Frontier, byte[] Head)>[] _kept = [[], []];
    private long _heldIn;
    private bool _loaded;

    /// <summary>One computation at a time per link (proposals, answers to proposals and queries).</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>
    /// What this node can state: our envelopes 1..n the peer has receipted, and the peer's 1..m we hold.
    /// </summary>
    public (long Outbound, long Inbound) Prefixes()
    {
        var outbound = store.SettledOutboundPrefix(peerId);
        return (outbound, HeldIn());
    }

    /// <summary>The last seq held in a direction.</summary>
    public long Held(Direction d) => d == Direction.Outbound ? store.MaxSeq(peerId, d) : HeldIn();

    /// <summary>
    /// The peer's entries 1..n held, read on from the last n found: after a start, from the count
    /// of the furthest stored frontier (entries are never removed), not from seq 1, which read every
    /// inbound seq of the link (1.3 million rows, a second of a core) at the first checkpoint.
    /// </summary>
    private long HeldIn()
    {
        LoadOnce();
        _heldIn = store.HeldInboundPrefix(peerId, _heldIn);
        return _heldIn;
    }

    /// <summary>Head and root of entries 1..<paramref name="count"/> of a direction, or the first seq this node does not hold.</summary>
    public DirectionState Compute(Direction d, long count)
    {
        var (work, last) = Nearest(d, count);
        var missing = Walk(d, work, count, (_, h) => last = h);
        if (missing is { } seq)
        {
            return new DirectionState(count, [], [], seq);
        }
        Keep(d, work, last);
        return new DirectionState(count, count == 0 ? [] : last, work.Root(), null);
    }

    /// <summary>The root of entries 1..k for each k asked; null where this node does not hold all of them.</summary>
    public IReadOnlyDictionary<long, byte[]?> PrefixRoots(Direction d, IEnumerable<long> counts)
    {
        var wanted = counts.Where(c => c >= 0).Distinct().Order().ToList();
        var roots = wanted.ToDictionary(c => c, _ => (byte[]?)null);
        if (wanted.Count == 0)
        {
            return roots;
        }
        var (work, _) = Nearest(d, wanted[0]);
        var next = 0;
        void Snapshot()
        {
            while (next < wanted.Count && wanted[next] == work.Count)
            {
                roots[wanted[next++]] = work.Root();
            }
        }
        Snapshot();
        Walk(d, work, wanted[^1], (_, _) => Snapshot());
        return roots;
    }

    /// <summary>Stores the frontiers kept for these counts of each direction, where one is (a checkpoint just computed them).</summary>
    public async Task PersistAsync(long outbound, long inbound, CancellationToken ct)
    {
        var frontiers = new List<(Direction, StoredFrontier)>();
        await Gate.WaitAsync(ct);
        try
        {
            foreach (var (d, count) in new[] { (Direction.Outbound, outbound), (Direction.Inbound, inbound) })
            {
                var kept = _kept[(int)d].Find(k => k.Frontier.Count == count);
                if (kept.Frontier is not null && count > 0)
                {
                    frontiers.Add((d, new StoredFrontier(count, kept.Head, kept.Frontier.Hashes())));
                }
            }
        }
        finally
        {
            Gate.Release();
        }
        if (frontiers.Count > 0)
        {
            await store.KeepFrontiersAsync(peerId, frontiers, ct);
        }
    }

    /// <summary>At first use, the frontiers stored with the last checkpoints; one that does not fit its count is ignored.</summary>
    private void LoadOnce()
    {
        if (_loaded)
        {
            return;
        }
        _loaded = true;
        foreach (var (d, stored) in store.KeptFrontiers(peerId))
        {
            if (MerkleFrontier.Restore(stored.Count, stored.Hashes) is { } frontier && stored.Head.Length == Merkle.HashBytes)
            {
                Keep(d, frontier, stored.Head);
                if (d == Direction.Inbound)
                {
                    _heldIn = Math.Max(_heldIn, stored.Count);
                }
            }
        }
    }

    /// <summary>A copy of the kept frontier furthest along that does not pass <paramref name="count"/> (an empty one if none), with its head.</summary>
    private (MerkleFrontier Work, byte[] Head) Nearest(Direction d, long count)
    {
        LoadOnce();
        var (best, head) = (new MerkleFrontier(), Array.Empty<byte>());
        foreach (var (frontier, h) in _kept[(int)d])
        {
            if (frontier.Count <= count && frontier.Count > best.Count)
            {
                (best, head) = (frontier, h);
            }
        }
        return (best.Clone(), head);
    }

    /// <summary>Keeps <paramref name="frontier"/> (no longer changed); past <see cref="Kept"/>, the one of the lowest count goes.</summary>
    private void Keep(Direction d, MerkleFrontier frontier, byte[] head)
    {
        var kept = _kept[(int)d];
        if (frontier.Count == 0 || kept.Exists(k => k.Frontier.Count == frontier.Count))
        {
            return;
        }
        kept.Add((frontier, head));
        if (kept.Count > Kept)
        {
            kept.Remove(kept.MinBy(k => k.Frontier.Count));
        }
    }

    /// <summary>How far the frontiers kept for <paramref name="d"/> reach (for tests).</summary>
    internal IReadOnlyList<long> KeptCounts(Direction d) => [.. _kept[(int)d].Select(k => k.Frontier.Count).Order()];

    /// <summary>Appends entries work.Count+1..last to <paramref name="work"/>; returns the first seq missing, if any.</summary>
    private long? Walk(Direction d, MerkleFrontier work, long last, Action<long, byte[]> appended)
    {
        var expected = work.Count + 1;
        long? missing = null;
        if (expected <= last)
        {
            store.ForEachEntryHash(peerId, d, expected, last, (seq, hash) =>
            {
                if (seq < expected)
                {
                    return true;
                }
                if (seq != expected)
                {
                    missing = expected;
                    return false;
                }
                work.Append(hash);
                appended(seq, hash);
                expected++;
                return true;
            });
        }
        return missing ?? (expected <= last ? expected : null);
    }
}

/// <summary>A direction's state for a count: its head and root, or the first seq not held.</summary>
internal sealed record DirectionState(long Count, byte[] Head, byte[] Root, long? Missing);
