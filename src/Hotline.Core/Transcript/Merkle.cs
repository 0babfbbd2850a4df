using Hotline.Core.Hashing;

namespace Hotline.Core.Transcript;

/// <summary>
/// The transcript's Merkle construction (docs/protocol.md §13.2): an RFC 9162 (Certificate
/// Transparency v2) Merkle tree per direction over the entries in sequence order, each leaf being
/// SHA-256(0x00 || SHA-256(envelope body)), and a root joining both directions.
/// </summary>
public static class Merkle
{
    public const int HashBytes = 32;

    /// <summary>The root of a direction with no entries: SHA-256 of nothing.</summary>
    public static byte[] EmptyRoot { get; } = Sha256.Hash([]);

    /// <summary>The leaf of an entry, from its entry hash (SHA-256 of the envelope body).</summary>
    public static byte[] Leaf(ReadOnlySpan<byte> entryHash)
    {
        Span<byte> buffer = stackalloc byte[1 + HashBytes];
        buffer[0] = 0x00;
        entryHash.CopyTo(buffer[1..]);
        return Sha256.Hash(buffer);
    }

    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * HashBytes];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashBytes)..]);
        return Sha256.Hash(buffer);
    }

    /// <summary>The transcript root: SHA-256(0x02 || root of A→B || root of B→A).</summary>
    public static byte[] TranscriptRoot(ReadOnlySpan<byte> rootAtoB, ReadOnlySpan<byte> rootBtoA)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * HashBytes];
        buffer[0] = 0x02;
        rootAtoB.CopyTo(buffer[1..]);
        rootBtoA.CopyTo(buffer[(1 + HashBytes)..]);
        return Sha256.Hash(buffer);
    }

    /// <summary>Root of a direction's tree over these entry hashes, in sequence order.</summary>
    public static byte[] Root(IEnumerable<byte[]> entryHashes)
    {
        var frontier = new MerkleFrontier();
        foreach (var h in entryHashes)
        {
            frontier.Append(h);
        }
        return frontier.Root();
    }

    /// <summary>
    /// Checks an RFC 9162 §2.1.3.2 inclusion proof: that <paramref name="leaf"/> is leaf number
    /// <paramref name="index"/> (from 0) of the tree of <paramref name="size"/> leaves with <paramref name="root"/>.
    /// </summary>
    public static bool VerifyInclusion(ReadOnlySpan<byte> leaf, long index, long size, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root) =>
        RootFromInclusion(leaf, index, size, path) is { } r && r.AsSpan().SequenceEqual(root);

    /// <summary>
    /// The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or null when the proof does not
    /// fit a tree of <paramref name="size"/> leaves.
    /// </summary>
    public static byte[]? RootFromInclusion(ReadOnlySpan<byte> leaf, long index, long size, IReadOnlyList<byte[]> path)
    {
        if (index < 0 || index >= size || path.Any(p => p.Length != HashBytes))
        {
            return null;
        }
        var fn = index;
        var sn = size - 1;
        var r = leaf.ToArray();
        foreach (var p in path)
        {
            if (sn == 0)
            {
                return null;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                r = Node(p, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = Node(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 ? r : null;
    }
}
