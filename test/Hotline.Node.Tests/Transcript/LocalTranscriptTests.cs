using System.Security.Cryptography;
using Hotline.Core.Transcript;
using Hotline.Node.Transcript;
using Hotline.Storage;
using Hotline.Storage.Transcript;
using Xunit;

namespace Hotline.Node.Tests.Transcript;

/// <summary>
/// A link's transcript as a node computes it for checkpoints: each root is the Merkle root of the
/// entries, and each computation reads only the entries after the nearest frontier it kept.
/// </summary>
public sealed class LocalTranscriptTests
{
    private const string Peer = "peer";

    [Fact]
    public void A_count_below_the_last_one_computed_starts_from_a_kept_frontier_not_from_seq_1()
    {
        var store = new HashStore(1000);
        var local = new LocalTranscript(store, Peer);
        local.Compute(Direction.Outbound, 100);
        local.Compute(Direction.Outbound, 1000);
        store.Visited = 0;

        // The peer's proposal a little behind ours, as when both nodes propose during a flood.
        var state = local.Compute(Direction.Outbound, 990);

        Assert.Equal(890, store.Visited);
        Assert.Equal(Merkle.Root(store.Hashes.Take(990)), state.Root);
        Assert.Equal(store.Hashes[989], state.Head);
        Assert.Equal(Merkle.Root(store.Hashes.Take(990)), new LocalTranscript(store, Peer).Compute(Direction.Outbound, 990).Root);
    }

    [Fact]
    public void It_keeps_a_bounded_number_of_frontiers_the_furthest_along()
    {
        var store = new HashStore(1000);
        var local = new LocalTranscript(store, Peer);
        for (var count = 50; count <= 1000; count += 50)
        {
            local.Compute(Direction.Outbound, count);
        }
        var kept = local.KeptCounts(Direction.Outbound);
        Assert.Equal(LocalTranscript.Kept, kept.Count);
        Assert.Equal(Enumerable.Range(0, LocalTranscript.Kept).Select(i => 1000L - 50 * (LocalTranscript.Kept - 1 - i)), kept);
        store.Visited = 0;
        // Below them all: from seq 1 again, and still right.
        Assert.Equal(Merkle.Root(store.Hashes.Take(300)), local.Compute(Direction.Outbound, 300).Root);
        Assert.Equal(300, store.Visited);
    }

    [Fact]
    public async Task After_a_restart_it_starts_from_the_frontier_stored_with_the_last_checkpoint()
    {
        var store = new HashStore(1000);
        var before = new LocalTranscript(store, Peer);
        before.Compute(Direction.Outbound, 400);
        before.Compute(Direction.Inbound, 900);
        // The checkpoint of those counts was co-signed and stored.
        await before.PersistAsync(400, 900, default);
        // A count this node never computed keeps nothing.
        await before.PersistAsync(0, 901, default);
        Assert.Equal(900, store.Frontiers[Direction.Inbound].Count);
        Assert.Equal(1, store.Writes);
        store.Visited = 0;

        // The node restarts: a new view of the link, its frontiers read from the store.
        var after = new LocalTranscript(store, Peer);
        var inbound = after.Compute(Direction.Inbound, 990);
        Assert.Equal(90, store.Visited);
        Assert.Equal(Merkle.Root(store.Hashes.Take(990)), inbound.Root);
        Assert.Equal(store.Hashes[989], inbound.Head);
        // Exactly at the stored count: nothing to read, the head from the store.
        store.Visited = 0;
        var outbound = after.Compute(Direction.Outbound, 400);
        Assert.Equal(0, store.Visited);
        Assert.Equal(Merkle.Root(store.Hashes.Take(400)), outbound.Root);
        Assert.Equal(store.Hashes[399], outbound.Head);
    }

    [Fact]
    public async Task After_a_restart_the_held_inbound_prefix_is_read_on_from_the_stored_frontier()
    {
        var store = new HashStore(1000);
        var before = new LocalTranscript(store, Peer);
        before.Compute(Direction.Inbound, 900);
        await before.PersistAsync(0, 900, default);

        var after = new LocalTranscript(store, Peer);
        Assert.Equal((1000, 1000), after.Prefixes());
        Assert.Equal(1000, after.Held(Direction.Inbound));

        // Not from seq 1: from the stored count, then from what the first read found.
        Assert.Equal([900, 1000], store.KnownHeld);
    }

    [Fact]
    public void A_stored_frontier_that_does_not_fit_its_count_is_ignored()
    {
        var store = new HashStore(1000);
        // 900 entries make a frontier of four subtrees (512 + 256 + 128 + 4); three hashes cannot be one.
        store.Frontiers[Direction.Inbound] = new StoredFrontier(900, store.Hashes[899], new byte[3 * Merkle.HashBytes]);

        var state = new LocalTranscript(store, Peer).Compute(Direction.Inbound, 950);

        Assert.Equal(950, store.Visited);
        Assert.Equal(Merkle.Root(store.Hashes.Take(950)), state.Root);
    }

    /// <summary>Entry hashes 1..n in both directions, every entry settled and held; counts the entries read.</summary>
    private sealed class HashStore(int count) : ITranscriptStore
    {
        public byte[][] Hashes { get; } = [.. Enumerable.Range(1, count).Select(i => SHA256.HashData(BitConverter.GetBytes(i)))];
        public long Visited { get; set; }

        public long MaxSeq(string peerId, Direction direction) => Hashes.Length;

        public long SettledOutboundPrefix(string peerId) => Hashes.Length;

        /// <summary>The prefix each call of <see cref="HeldInboundPrefix"/> was told was known (where it reads from).</summary>
        public List<long> KnownHeld { get; } = [];

        public long HeldInboundPrefix(string peerId, long known = 0)
        {
            KnownHeld.Add(known);
            return Hashes.Length;
        }

        public void ForEachEntryHash(string peerId, Direction direction, long first, long last, Func<long, byte[], bool> visit)
        {
            for (var seq = first; seq <= last && seq <= Hashes.Length; seq++)
            {
                Visited++;
                if (!visit(seq, Hashes[seq - 1]))
                {
                    return;
                }
            }
        }

        public Task<IReadOnlyList<(long Seq, string Reason)>> KeepRefusedAsync(string peerId, IReadOnlyList<RefusedEntry> refused, CancellationToken ct = default) =>
            throw new NotSupportedException();

        public Task<StoredCheckpoint> StoreCheckpointAsync(string peerId, byte[] body, byte[] signatureA, byte[] signatureB, DateTimeOffset created, CancellationToken ct = default) =>
            throw new NotSupportedException();

        public StoredCheckpoint? LatestCheckpoint(string peerId) => null;

        /// <summary>What <see cref="KeepFrontiersAsync"/> kept, by direction (the furthest only, as the store does).</summary>
        public Dictionary<Direction, StoredFrontier> Frontiers { get; } = [];

        /// <summary>Calls of <see cref="KeepFrontiersAsync"/> (each a transaction in the real store).</summary>
        public int Writes { get; private set; }

        public Task KeepFrontiersAsync(string peerId, IReadOnlyList<(Direction Direction, StoredFrontier Frontier)> frontiers, CancellationToken ct = default)
        {
            Writes++;
            foreach (var (direction, frontier) in frontiers)
            {
                if (!Frontiers.TryGetValue(direction, out var kept) || frontier.Count > kept.Count)
                {
                    Frontiers[direction] = frontier;
                }
            }
            return Task.CompletedTask;
        }

        public IReadOnlyList<(Direction Direction, StoredFrontier Frontier)> KeptFrontiers(string peerId) =>
            [.. Frontiers.Select(f => (f.Key, f.Value))];

        public IReadOnlyList<StoredCheckpoint> ListCheckpoints(string peerId, int limit = 100) => [];

        public Task<Divergence> RecordDivergenceAsync(Divergence divergence, CancellationToken ct = default) => throw new NotSupportedException();

        public IReadOnlyList<Divergence> ListDivergences(string peerId, int limit = 100) => [];
    }
}
