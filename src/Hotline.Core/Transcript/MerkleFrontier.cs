namespace Hotline.Core.Transcript;

/// <summary>
/// Computes a direction's Merkle root while entries are appended in sequence order, holding only
/// the roots of the perfect subtrees on the right edge (O(log n) memory).
/// </summary>
public sealed class MerkleFrontier
{
    private readonly List<(byte[] Hash, long Size)> _stack = [];

    /// <summary>How many entries have been appended.</summary>
    public long Count { get; private set; }

    /// <summary>Appends the next entry, given its entry hash (SHA-256 of the envelope body).</summary>
    public void Append(ReadOnlySpan<byte> entryHash)
    {
        var node = (Hash: Merkle.Leaf(entryHash), Size: 1L);
        while (_stack.Count > 0 && _stack[^1].Size == node.Size)
        {
            var left = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            node = (Merkle.Node(left.Hash, node.Hash), left.Size * 2);
        }
        _stack.Add(node);
        Count++;
    }

    /// <summary>The RFC 9162 root of the entries appended so far.</summary>
    public byte[] Root()
    {
        if (_stack.Count == 0)
        {
            return Merkle.EmptyRoot;
        }
        var acc = _stack[^1].Hash;
        for (var i = _stack.Count - 2; i >= 0; i--)
        {
            acc = Merkle.Node(_stack[i].Hash, acc);
        }
        return acc;
    }

    /// <summary>The roots of the frontier's subtrees, largest first, side by side: what <see cref="Restore"/> takes back.</summary>
    public byte[] Hashes()
    {
        var hashes = new byte[_stack.Count * Merkle.HashBytes];
        for (var i = 0; i < _stack.Count; i++)
        {
            _stack[i].Hash.CopyTo(hashes, i * Merkle.HashBytes);
        }
        return hashes;
    }

    /// <summary>
    /// The frontier of <paramref name="count"/> entries from its <see cref="Hashes"/>; null when they
    /// cannot be one (a frontier holds one subtree for each bit set in the count).
    /// </summary>
    public static MerkleFrontier? Restore(long count, ReadOnlySpan<byte> hashes)
    {
        if (count < 0 || hashes.Length != long.PopCount(count) * Merkle.HashBytes)
        {
            return null;
        }
        var frontier = new MerkleFrontier { Count = count };
        for (var bit = 62; bit >= 0; bit--)
        {
            if ((count & (1L << bit)) != 0)
            {
                frontier._stack.Add((hashes[..Merkle.HashBytes].ToArray(), 1L << bit));
                hashes = hashes[Merkle.HashBytes..];
            }
        }
        return frontier;
    }

    public MerkleFrontier Clone()
    {
        var copy = new MerkleFrontier { Count = Count };
        copy._stack.AddRange(_stack);
        return copy;
    }
}
