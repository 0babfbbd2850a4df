using System.Collections.Concurrent;
using System.Security.Cryptography;
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
        for (var start = 0; start < bodies.Count; start += MaxBatch)
        {
            var count = Math.Min(MaxBatch, bodies.Count - start);
            if (count == 1)
            {
                signatures[start] = SignatureDomain.Sign(sender, SignatureDomain.Envelope, bodies[start]);
                continue;
            }
            var levels = Levels(Enumerable.Range(start, count).Select(i => Leaf(bodies[i])).ToArray());
            var signature = SignatureDomain.Sign(sender, SignatureDomain.EnvelopeBatch, RootMessage(count, levels[^1][0]));
            for (var index = 0; index < count; index++)
            {
                signatures[start + index] = Encode(signature, index, count, levels);
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
        if (count < 2 || count > MaxBatch || index >= count || signature.Length != HeaderLength + 32 * Path(index, count).Count())
        {
            return false;
        }
        var message = RootMessage(count, Root(Leaf(body), index, count, signature[HeaderLength..]));
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

    private static byte[] Leaf(ReadOnlySpan<byte> body)
    {
        var buffer = new byte[1 + body.Length];
        body.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    private static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[65];
        buffer[0] = 1;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[33..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>Every level of the tree, leaves first, root last.</summary>
    private static List<byte[][]> Levels(byte[][] leaves)
    {
        var levels = new List<byte[][]> { leaves };
        while (levels[^1].Length > 1)
        {
            var below = levels[^1];
            var level = new byte[(below.Length + 1) / 2][];
            for (var i = 0; i < level.Length; i++)
            {
                level[i] = 2 * i + 1 < below.Length ? Node(below[2 * i], below[2 * i + 1]) : below[2 * i];
            }
            levels.Add(level);
        }
        return levels;
    }

    private static byte[] Encode(byte[] signature, int index, int count, List<byte[][]> levels)
    {
        var path = Path(index, count).ToList();
        var encoded = new byte[HeaderLength + 32 * path.Count];
        signature.CopyTo(encoded, 0);
        encoded[64] = (byte)index;
        encoded[65] = (byte)count;
        for (var i = 0; i < path.Count; i++)
        {
            levels[path[i].Level][path[i].Sibling].CopyTo(encoded, HeaderLength + 32 * i);
        }
        return encoded;
    }

    /// <summary>
    /// The levels, from the leaves up, at which the node on the way from leaf <paramref name="index"/>
    /// of <paramref name="count"/> to the root has a partner, and that partner's place in its level.
    /// </summary>
    private static IEnumerable<(int Level, int Sibling)> Path(int index, int count)
    {
        for (int level = 0, width = count; width > 1; level++, width = (width + 1) / 2, index /= 2)
        {
            if ((index ^ 1) < width)
            {
                yield return (level, index ^ 1);
            }
        }
    }

    private static byte[] Root(byte[] leaf, int index, int count, ReadOnlySpan<byte> path)
    {
        var node = leaf;
        foreach (var (_, sibling) in Path(index, count))
        {
            // An even place is a left partner.
            node = sibling % 2 == 0 ? Node(path[..32], node) : Node(node, path[..32]);
            path = path[32..];
        }
        return node;
    }

    private static byte[] RootMessage(int count, byte[] root)
    {
        var message = new byte[33];
        message[0] = (byte)count;
        root.CopyTo(message, 1);
        return message;
    }
}

/// <summary>Batch signatures already verified, so that the envelopes of one batch cost one Ed25519 check.</summary>
public sealed class VerifiedRoots
{
    private const int Capacity = 4096;
    private readonly ConcurrentDictionary<string, byte> _verified = new();
    // ConcurrentDictionary.Count takes every lock of the table: counted here instead (approximately
    // under races, which only moves the moment the cache is cleared).
    private int _count;

    internal bool Contains(NodeKey sender, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        _verified.ContainsKey(Key(sender, message, signature));

    internal void Add(NodeKey sender, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (Volatile.Read(ref _count) >= Capacity)
        {
            _verified.Clear();
            Volatile.Write(ref _count, 0);
        }
        if (_verified.TryAdd(Key(sender, message, signature), 0))
        {
            Interlocked.Increment(ref _count);
        }
    }

    // The whole signed statement is the key: a hit means this exact (key, count, root, signature) verified.
    private static string Key(NodeKey sender, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        Span<byte> all = stackalloc byte[32 + 33 + 64];
        sender.Bytes.CopyTo(all);
        message.CopyTo(all[32..]);
        signature.CopyTo(all[65..]);
        return Convert.ToBase64String(all);
    }
}
