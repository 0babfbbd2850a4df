using System.Buffers;
using System.Text;

namespace Hotline.Core.Identity;

/// <summary>
/// Domain separation for signatures: a signature is over (context || 0x00 || payload), so a
/// signed envelope can never be replayed as a receipt or a card, and the reverse.
/// </summary>
public static class SignatureDomain
{
    public static readonly byte[] Envelope = Prefix("hotline/envelope/v1");
    public static readonly byte[] EnvelopeBatch = Prefix("hotline/envelope-batch/v1");
    public static readonly byte[] Receipt = Prefix("hotline/receipt/v1");
    public static readonly byte[] Card = Prefix("hotline/card/v1");
    public static readonly byte[] Checkpoint = Prefix("hotline/checkpoint/v1");
    public static readonly byte[] Bundle = Prefix("hotline/bundle/v1");

    public static byte[] Sign(NodeIdentity identity, byte[] domain, ReadOnlySpan<byte> payload)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(domain.Length + payload.Length);
        try
        {
            var data = Join(buffer, domain, payload);
            return identity.Sign(data);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static bool Verify(NodeKey key, byte[] domain, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != 64)
        {
            return false;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(domain.Length + payload.Length);
        try
        {
            return key.Verify(Join(buffer, domain, payload), signature);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ReadOnlySpan<byte> Join(byte[] buffer, byte[] domain, ReadOnlySpan<byte> payload)
    {
        domain.CopyTo(buffer, 0);
        payload.CopyTo(buffer.AsSpan(domain.Length));
        return buffer.AsSpan(0, domain.Length + payload.Length);
    }

    private static byte[] Prefix(string context) => [.. Encoding.ASCII.GetBytes(context), 0];
}
