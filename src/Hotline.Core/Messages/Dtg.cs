using System.Globalization;

namespace Hotline.Core.Messages;

/// <summary>Date-time group in UTC, as in <c>271530Z NOV 26</c>.</summary>
public static class Dtg
{
    public static string Format(DateTimeOffset time)
    {
        var t = time.ToUniversalTime();
        return string.Create(CultureInfo.InvariantCulture,
            $"{t:ddHHmm}Z {t.ToString("MMM", CultureInfo.InvariantCulture).ToUpperInvariant()} {t:yy}");
    }
}
