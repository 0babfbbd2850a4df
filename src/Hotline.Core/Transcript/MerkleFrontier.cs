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

    public MerkleFrontier Clone()
    {
        var copy = new MerkleFrontier { Count = Count };
        copy._stack.AddRange(_stack);
        return copy;
    }
}
