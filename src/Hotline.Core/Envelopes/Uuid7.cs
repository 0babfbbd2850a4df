using System.Security.Cryptography;

namespace Hotline.Core.Envelopes;

/// <summary>UUID version 7 (RFC 9562): 48-bit Unix milliseconds, then random bits.</summary>
public static class Uuid7
{
    public static Guid New(DateTimeOffset now)
    {
        Span<byte> b = stackalloc byte[16];
        RandomNumberGenerator.Fill(b);
        var ms = now.ToUnixTimeMilliseconds();
        b[0] = (byte)(ms >> 40);
        b[1] = (byte)(ms >> 32);
        b[2] = (byte)(ms >> 24);
        b[3] = (byte)(ms >> 16);
        b[4] = (byte)(ms >> 8);
        b[5] = (byte)ms;
        b[6] = (byte)(0x70 | (b[6] & 0x0F));
        b[8] = (byte)(0x80 | (b[8] & 0x3F));
        return new Guid(b, bigEndian: true);
    }

    public static byte[] ToBytes(Guid id)
    {
        var bytes = new byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return bytes;
    }

    public static Guid FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 16 ? new Guid(bytes, bigEndian: true) : throw new FormatException("An envelope id is 16 bytes.");
}
