using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hotline.Node.Hosting;

/// <summary>Certificate pinning: a peer is known by the SHA-256 of its certificate, nothing else.</summary>
public static class Pins
{
    public static string Sha256Hex(X509Certificate cert) =>
        Convert.ToHexStringLower(cert.GetCertHash(HashAlgorithmName.SHA256));

    public static bool Matches(X509Certificate? cert, string pinHex)
    {
        if (cert is null)
        {
            return false;
        }
        var actual = cert.GetCertHash(HashAlgorithmName.SHA256);
        Span<byte> expected = stackalloc byte[32];
        return Convert.FromHexString(pinHex, expected, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == 32
            && CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
