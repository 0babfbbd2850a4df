using System.Collections.Concurrent;
using Hotline.Core.Hashing;
using Hotline.Core.Identity;

namespace Hotline.Core.Envelopes;

/// <summary>
/// An envelope's signature: either one Ed25519 signature over its body, or one signature over the
/// Merkle root of a batch of up to <see cref="MaxBatch"/> bodies committed together, with the
/// envelope's inclusion path. Either way every envelope is verifiable on its own, offline.
/// </summary>
/// <remarks>
/// Plain (64 bytes): <c>Ed25519("hotline/envelope/v1" || 0x00 || body)</c>.
/// Batch (66 + 32·k bytes): <c>signature(64) || index(1) || count(1) || sibling hashes(32 each)</c>,
/// where the signature is <c>Ed25519("hotline/envelope-batch/v1" || 0x00 || count || root)</c>,
/// a leaf is <c>SHA-256(0x00 || body)</c>, an inner node <c>SHA-256(0x01 || left || right)</c>, and
/// the last node of a level with no partner moves up unchanged. Signing and checking signatures
/// was a third of a node's CPU under load (docs/protocol.md §6.4, bench/RESULTS.md).
/// </remarks>
public static class EnvelopeSignature
{
    /// <summary>Envelopes under one signature at most: their paths stay short (4 hashes).</summary>
    public const int MaxBatch = 16;
    private const int PlainLength = 64;
    private const int HeaderLength = 66;

    /// <summary>Signs each body; consecutive bodies share a signature, up to <see cref="MaxBatch"/> at a time.</summary>
    public static byte[][] Sign(NodeIdentity sender, IReadOnlyList<byte[]> bodies)
    {
        var signatures = new byte[bodies.Count][];
        byte[]? tree = null;
        Span<byte> message = stackalloc byte[RootMessageLength];
        for (var start = 0; start < bodies.Count; start += MaxBatch)
        {
            var count = Math.Min(MaxBatch, bodies.Count - start);
            if (count == 1)
            {
                signatures[start] = SignatureDomain.Sign(sender, SignatureDomain.Envelope, bodies[start]);
                continue;
            }
            tree ??= new byte[2 * MaxBatch * HashLength];
            RootMessage(count, Grow(tree, bodies, start, count), message);
            var signature = SignatureDomain.Sign(sender, SignatureDomain.EnvelopeBatch, message);
            for (var index = 0; index < count; index++)
            {
                signatures[start + index] = Encode(signature, index, count, tree);
            }
        }
        return signatures;
    }

    /// <summary>
    /// True when <paramref name="signature"/> proves that <paramref name="sender"/> signed <paramref name="body"/>.
    /// A batch signature already verified for the same root is not checked again when <paramref name="cache"/> is given.
    /// </summary>
    public static bool Verify(NodeKey sender, ReadOnlySpan<byte> body, ReadOnlySpan<byte> signature, VerifiedRoots? cache = null)
    {
        if (signature.Length == PlainLength)
        {
            return SignatureDomain.Verify(sender, SignatureDomain.Envelope, body, signature);
        }
        if (signature.Length < HeaderLength)
        {
            return false;
        }
        int index = signature[64], count = signature[65];
        Span<(int Level, int Sibling)> path = stackalloc (int, int)[MaxDepth];
        if (count < 2 || count > MaxBatch || index >= count || signature.Length != HeaderLength + HashLength * Path(index, count, path))
        {
            return false;
        }
        // Up the tree from the body's leaf, its partners read from the signature in turn.
        Span<byte> node = stackalloc byte[HashLength];
        Leaf(body, node);
        var siblings = signature[HeaderLength..];
        for (var i = 0; siblings.Length > 0; i++, siblings = siblings[HashLength..])
        {
            // An even place is a left partner.
            if (path[i].Sibling % 2 == 0)
            {
                Node(siblings[..HashLength], node, node);
            }
            else
            {
                Node(node, siblings[..HashLength], node);
            }
        }
        Span<byte> message = stackalloc byte[RootMessageLength];
        RootMessage(count, node, message);
        var ed25519 = signature[..PlainLength];
        if (cache?.Contains(sender, message, ed25519) == true)
        {
            return true;
        }
        if (!SignatureDomain.Verify(sender, SignatureDomain.EnvelopeBatch, message, ed25519))
        {
            return false;
        }
        cache?.Add(sender, message, ed25519);
        return true;
    }

    /// <summary>
    /// True when both are batch signatures under the same Ed25519 signature (envelopes committed
    /// together). A hint for scheduling checks; it proves nothing: each envelope is still verified.
    /// </summary>
    public static bool SameBatch(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        a.Length > PlainLength && b.Length > PlainLength && a[..PlainLength].SequenceEqual(b[..PlainLength]);

    private const int HashLength = 32;
    private const int MaxDepth = 4;
    private const int RootMessageLength = 1 + HashLength;

    private static Span<byte> Hash(byte[] tree, int levelStart, int place) => tree.AsSpan(levelStart + place * HashLength, HashLength);

    /// <summary>
    /// Fills <paramref name="tree"/> with every level of the tree over <paramref name="count"/>
    /// bodies from <paramref name="start"/>, leaves first, each level's hashes side by side; returns the root.
    /// </summary>
    private static ReadOnlySpan<byte> Grow(byte[] tree, IReadOnlyList<byte[]> bodies, int start, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Leaf(bodies[start + i], Hash(tree, 0, i));
        }
        var level = 0;
        for (var width = count; width > 1; level++, width = (width + 1) / 2)
        {
            int below = LevelStart(count, level), above = LevelStart(count, level + 1);
            for (var i = 0; 2 * i < width; i++)
            {
                var into = Hash(tree, above, i);
                if (2 * i + 1 < width)
                {
                    Node(Hash(tree, below, 2 * i), Hash(tree, below, 2 * i + 1), into);
                }
                else
                {
                    Hash(tree, below, 2 * i).CopyTo(into);
                }
            }
        }
        return Hash(tree, LevelStart(count, level), 0);
    }

    /// <summary>Envelope <paramref name="index"/>'s batch signature: the root's signature, its place, and its path's hashes.</summary>
    private static byte[] Encode(byte[] signature, int index, int count, byte[] tree)
    {
        Span<(int Level, int Sibling)> path = stackalloc (int, int)[MaxDepth];
        var steps = Path(index, count, path);
        var encoded = new byte[HeaderLength + HashLength * steps];
        signature.CopyTo(encoded, 0);
        encoded[64] = (byte)index;
        encoded[65] = (byte)count;
        for (var i = 0; i < steps; i++)
        {
            Hash(tree, LevelStart(count, path[i].Level), path[i].Sibling).CopyTo(encoded.AsSpan(HeaderLength + HashLength * i));
        }
        return encoded;
    }

    /// <summary>Where level <paramref name="level"/> of a tree over <paramref name="count"/> leaves starts in its buffer.</summary>
    private static int LevelStart(int count, int level)
    {
        var start = 0;
        for (var width = count; level > 0; level--, width = (width + 1) / 2)
        {
            start += width * HashLength;
        }
        return start;
    }

    private static void Leaf(ReadOnlySpan<byte> body, Span<byte> into) => Sha256.Hash([0], body, into);

    /// <summary>An inner node; <paramref name="into"/> may be either input.</summary>
    private static void Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> into)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * HashLength];
        buffer[0] = 1;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashLength)..]);
        Sha256.Hash(buffer, into);
    }

    /// <summary>
    /// Fills <paramref name="path"/> with the levels, from the leaves up, at which the node on the way
    /// from leaf <paramref name="index"/> of <paramref name="count"/> to the root has a partner, and
    /// that partner's place in its level; returns how many there are.
    /// </summary>
    private static int Path(int index, int count, Span<(int Level, int Sibling)> path)
    {
        var steps = 0;
        for (int level = 0, width = count; width > 1; level++, width = (width + 1) / 2, index /= 2)
        {
            if ((index ^ 1) < width)
            {
                path[steps++] = (level, index ^ 1);
            }
        }
        return steps;
    }

    private static void RootMessage(int count, ReadOnlySpan<byte> root, Span<byte> message)
    {
        message[0] = (byte)count;
        root.CopyTo(message[1..]);
    }
}

/// <summary>Batch signatures already verified, so that the envelopes of one batch cost one Ed25519 check.</summary>
public sealed class VerifiedRoots
{
    private const int Capacity = 4096;
    private const int StatementLength = 32 + 33 + 64;
    // The whole signed statement is the key: a hit means this exact (key, count, root, signature)
    // verified. Looked up by a span on the stack; only a new statement takes an array.
    private readonly ConcurrentDictionary<byte[], byte> _verified = new(StatementComparer.Instance);
    private readonly ConcurrentDictionary<byte[], byte>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    // ConcurrentDictionary.Count takes every lock of the table: counted here instead (approximately
    // under races, which only moves the moment the cache is cleared).
    private int _count;

    public VerifiedRoots() => _lookup = _verified.GetAlternateLookup<ReadOnlySpan<byte>>();

    internal bool Contains(NodeKey sender, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        Span<byte> statement = stackalloc byte[StatementLength];
        return _lookup.ContainsKey(Statement(sender, message, signature, statement));
    }

    internal void Add(NodeKey sender, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (Volatile.Read(ref _count) >= Capacity)
        {
            _verified.Clear();
            Volatile.Write(ref _count, 0);
        }
        Span<byte> statement = stackalloc byte[StatementLength];
        if (_lookup.TryAdd(Statement(sender, message, signature, statement), 0))
        {
            Interlocked.Increment(ref _count);
        }
    }

    private static ReadOnlySpan<byte> Statement(NodeKey sender, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature, Span<byte> into)
    {
        sender.Bytes.CopyTo(into);
        message.CopyTo(into[32..]);
        signature.CopyTo(into[65..]);
        return into;
    }

    private sealed class StatementComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly StatementComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] bytes) => GetHashCode((ReadOnlySpan<byte>)bytes);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
