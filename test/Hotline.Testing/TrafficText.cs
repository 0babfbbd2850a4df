using System.Globalization;

namespace Hotline.Testing;

/// <summary>
/// Test traffic carries its own numbering, <c>"{sender} {channel} #{n}"</c>, with n rising per
/// sender in the order the sender submitted, so the receiving side can tell loss, duplication
/// and reordering apart.
/// </summary>
public static class TrafficText
{
    public static string Format(string sender, string channel, int n) =>
        string.Create(CultureInfo.InvariantCulture, $"{sender} {channel} #{n:D6}");

    public static bool TryParse(string text, out string sender, out string channel, out int n)
    {
        sender = channel = "";
        n = 0;
        var parts = text.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith('#'))
        {
            return false;
        }
        sender = parts[0];
        channel = parts[1];
        return int.TryParse(parts[2].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out n);
    }
}
