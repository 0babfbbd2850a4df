using System.Globalization;
using System.Text.RegularExpressions;

namespace Hotline.Core.Messages;

/// <summary>Date-time group in UTC, as in <c>271530Z NOV 26</c>.</summary>
public static partial class Dtg
{
    public static string Format(DateTimeOffset time)
    {
        var t = time.ToUniversalTime();
        return string.Create(CultureInfo.InvariantCulture,
            $"{t:ddHHmm}Z {t.ToString("MMM", CultureInfo.InvariantCulture).ToUpperInvariant()} {t:yy}");
    }

    /// <summary>Reads the form <see cref="Format"/> writes, in any letter case and spacing; years are 20YY.</summary>
    public static bool TryParse(string? text, out DateTimeOffset time)
    {
        time = default;
        var m = text is null ? Match.Empty : Form().Match(text);
        return m.Success && DateTimeOffset.TryParseExact(
            $"{m.Groups["dhm"].Value}Z {m.Groups["mon"].Value.ToUpperInvariant()} 20{m.Groups["yy"].Value}",
            "ddHHmm'Z' MMM yyyy", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    [GeneratedRegex(@"^\s*(?<dhm>\d{6})\s*Z\s*(?<mon>[A-Za-z]{3})\s*(?<yy>\d{2})\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Form();
}
