using System.Security.Cryptography;

namespace Hotline.Core.Identity;

/// <summary>A node's public Ed25519 identity key, as pinned by its peers.</summary>
public sealed class NodeKey : IEquatable<NodeKey>
{
    public const int Length = 32;
    private readonly byte[] _bytes;
    private readonly NSec.Cryptography.PublicKey _key;

    private NodeKey(byte[] bytes)
    {
        _bytes = bytes;
        _key = NSec.Cryptography.PublicKey.Import(
            NSec.Cryptography.SignatureAlgorithm.Ed25519, bytes, NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        Id = Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8));
    }

    /// <summary>Short stable id (16 hex digits of the key's SHA-256) used in logs and API paths.</summary>
    public string Id { get; }

    public ReadOnlySpan<byte> Bytes => _bytes;

    public byte[] ToArray() => (byte[])_bytes.Clone();

    public string ToBase64() => Convert.ToBase64String(_bytes);

    public static NodeKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new FormatException($"An identity key is {Length} bytes, not {bytes.Length}.");
        }
        return new NodeKey(bytes.ToArray());
    }

    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, out NodeKey? key)
    {
        key = null;
        if (bytes.Length != Length)
        {
            return false;
        }
        try
        {
            key = new NodeKey(bytes.ToArray());
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static NodeKey FromBase64(string text) => FromBytes(Convert.FromBase64String(text));

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(_key, data, signature);

    public bool Equals(NodeKey? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public bool Is(ReadOnlySpan<byte> bytes) => _bytes.AsSpan().SequenceEqual(bytes);

    public override bool Equals(object? obj) => Equals(obj as NodeKey);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);

    public override string ToString() => Id;

    /// <summary>Orders keys bytewise; the lower key is the preferred dialer of a link.</summary>
    public int CompareTo(NodeKey other) => _bytes.AsSpan().SequenceCompareTo(other._bytes);
}
