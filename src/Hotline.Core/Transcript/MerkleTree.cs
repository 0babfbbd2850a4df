namespace Hotline.Core.Transcript;

/// <summary>
/// A whole direction's tree held in memory, for inclusion proofs. A node without a sibling at its
/// level moves up unchanged, which gives exactly the RFC 9162 tree.
/// </summary>
public sealed class MerkleTree
{
    private readonly List<byte[][]> _levels;

    private MerkleTree(List<byte[][]> levels) => _levels = levels;

    public long Count => _levels[0].Length;

    public byte[] Root => Count == 0 ? Merkle.EmptyRoot : _levels[^1][0];

    /// <summary>Builds the tree over entry hashes (SHA-256 of each body) in sequence order.</summary>
    public static MerkleTree Build(IReadOnlyList<byte[]> entryHashes)
    {
        var level = entryHashes.Select(h => Merkle.Leaf(h)).ToArray();
        var levels = new List<byte[][]> { level };
        while (level.Length > 1)
        {
            var next = new byte[(level.Length + 1) / 2][];
            for (var i = 0; i < next.Length; i++)
            {
                next[i] = 2 * i + 1 < level.Length ? Merkle.Node(level[2 * i], level[2 * i + 1]) : level[2 * i];
            }
            levels.Add(next);
            level = next;
        }
        return new MerkleTree(levels);
    }

    /// <summary>The audit path of leaf <paramref name="index"/> (from 0), bottom up.</summary>
    public IReadOnlyList<byte[]> Proof(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var path = new List<byte[]>();
        var i = index;
        foreach (var level in _levels.Take(_levels.Count - 1))
        {
            var sibling = i ^ 1;
            if (sibling < level.Length)
            {
                path.Add(level[sibling]);
            }
            i >>= 1;
        }
        return path;
    }
}
