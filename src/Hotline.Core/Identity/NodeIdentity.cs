using NSec.Cryptography;

namespace Hotline.Core.Identity;

/// <summary>The node's private Ed25519 identity: signs envelopes, receipts and cards.</summary>
public sealed class NodeIdentity : IDisposable
{
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;
    private readonly Key _key;

    private NodeIdentity(Key key)
    {
        _key = key;
        PublicKey = NodeKey.FromBytes(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    public NodeKey PublicKey { get; }

    public static NodeIdentity Create() =>
        new(Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    public static NodeIdentity FromPrivateBytes(ReadOnlySpan<byte> raw) =>
        new(Key.Import(Algorithm, raw, KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    public byte[] ExportPrivateBytes() => _key.Export(KeyBlobFormat.RawPrivateKey);

    public byte[] Sign(ReadOnlySpan<byte> data) => Algorithm.Sign(_key, data);

    public void Dispose() => _key.Dispose();
}
