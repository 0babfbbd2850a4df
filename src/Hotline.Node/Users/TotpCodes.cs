using OtpNet;

namespace Hotline.Node.Users;

/// <summary>Time-based one-time codes (RFC 6238, 30 s steps, 6 digits), as authenticator apps make them.</summary>
public static class TotpCodes
{
    public static string NewSecret() => Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));

    public static string Uri(string secret, string user, string node) =>
        $"otpauth://totp/{System.Uri.EscapeDataString($"Hotline {node}:{user}")}?secret={secret}&issuer={System.Uri.EscapeDataString($"Hotline {node}")}&digits=6&period=30";

    /// <summary>The code for <paramref name="at"/> (tests and the demo use it).</summary>
    public static string Compute(string secret, DateTimeOffset at) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(at.UtcDateTime);

    /// <summary>The time step a valid code belongs to (one step of clock drift allowed either way), or null.</summary>
    public static long? Verify(string secret, string? code, DateTimeOffset at)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return null;
        }
        var totp = new Totp(Base32Encoding.ToBytes(secret));
        return totp.VerifyTotp(at.UtcDateTime, code.Replace(" ", "", StringComparison.Ordinal).Trim(), out var step, VerificationWindow.RfcSpecifiedNetworkDelay)
            ? step : null;
    }
}
