using System.Globalization;
using System.Text.RegularExpressions;
using Hotline.Core.Messages;

namespace Hotline.Core.Catalog;

/// <summary>
/// Checks a raw value against its parameter type and gives the normalised (wire) form, and renders a
/// normalised value in a language. Normalising a normalised value gives it back unchanged.
/// </summary>
internal static partial class ParameterValues
{
    public const int MaxTextLength = 200;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static ValueCheck Normalize(ParameterType type, string raw)
    {
        var text = raw.Trim();
        return type switch
        {
            ParameterType.Position => GeoPosition.Parse(text),
            ParameterType.Callsign => Callsign().IsMatch(text)
                ? ValueCheck.Ok(text.ToUpperInvariant())
                : ValueCheck.Fail($"callsign '{text}' may hold only letters A-Z, digits and '-', 1 to 20 of them"),
            ParameterType.Bearing => Number(text, "bearing", 0, 359.9m, "0..359 degrees (north is 0, not 360)"),
            ParameterType.Course => Number(text, "course", 0, 359.9m, "0..359 degrees (north is 0, not 360)"),
            ParameterType.Speed => Number(text, "speed", 0, 2000, "0..2000 knots"),
            ParameterType.Altitude => WholeNumber(text, "altitude", -1500, 100_000, "-1500..100000 feet"),
            ParameterType.Time => Time(text),
            ParameterType.Count => WholeNumber(text, "count", 0, 100_000, "0..100000"),
            ParameterType.Text => Text(text),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
    }

    public static string Format(ParameterType type, string normalized, string lang) => type switch
    {
        ParameterType.Position => Position(normalized).Format(lang),
        ParameterType.Bearing or ParameterType.Course => Decimal(normalized).ToString("000.#", Invariant) + "°",
        ParameterType.Speed => lang switch
        {
            CatalogLanguages.Korean => $"{normalized}노트",
            CatalogLanguages.Chinese => $"{normalized} 节",
            _ => $"{normalized} kn",
        },
        ParameterType.Altitude => Decimal(normalized).ToString("#,0", Invariant) + lang switch
        {
            CatalogLanguages.Korean => "피트",
            CatalogLanguages.Chinese => " 英尺",
            _ => " ft",
        },
        ParameterType.Time => lang switch
        {
            CatalogLanguages.Korean => Utc(normalized).ToString("yyyy년 M월 d일 HH:mm 'UTC'", Invariant),
            CatalogLanguages.Chinese => Utc(normalized).ToString("yyyy年M月d日 HH:mm 'UTC'", Invariant),
            _ => Dtg.Format(Utc(normalized)),
        },
        _ => normalized,
    };

    /// <summary>A number in [min, max] with at most one decimal, normalised without trailing zeros.</summary>
    private static ValueCheck Number(string text, string what, decimal min, decimal max, string range)
    {
        if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, Invariant, out var value))
        {
            return ValueCheck.Fail($"{what} '{text}' is not a number; give {range}");
        }
        if (value < min || value > max)
        {
            return ValueCheck.Fail($"{what} {text} is outside {range}");
        }
        return value == Math.Round(value, 1)
            ? ValueCheck.Ok(value.ToString("0.#", Invariant))
            : ValueCheck.Fail($"{what} {text} has more than one decimal; round it");
    }

    private static ValueCheck WholeNumber(string text, string what, int min, int max, string range) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, Invariant, out var value)
            ? value >= min && value <= max
                ? ValueCheck.Ok(value.ToString(Invariant))
                : ValueCheck.Fail($"{what} {text} is outside {range}")
            : ValueCheck.Fail($"{what} '{text}' is not a whole number; give {range}");

    private static ValueCheck Time(string text)
    {
        if (Dtg.TryParse(text, out var dtg))
        {
            return ValueCheck.Ok(Iso(dtg));
        }
        if (!IsoWithZone().IsMatch(text))
        {
            return ValueCheck.Fail($"time '{text}' is not a UTC time; give {ParameterType.Time.Hint()}, with Z or an offset");
        }
        return DateTimeOffset.TryParse(text, Invariant, DateTimeStyles.AdjustToUniversal, out var iso)
            ? ValueCheck.Ok(Iso(iso))
            : ValueCheck.Fail($"time '{text}' is not a valid date and time; give {ParameterType.Time.Hint()}");
    }

    private static ValueCheck Text(string text)
    {
        if (text.Length > MaxTextLength)
        {
            return ValueCheck.Fail($"text is {text.Length} characters long; shorten it to {MaxTextLength} at most");
        }
        // Line breaks would break the one-line wording; bidirectional overrides could make a text read differently than it is.
        if (text.Any(c => char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069'))
        {
            return ValueCheck.Fail("text holds a control character (line break, tab or direction override); give one line of plain text");
        }
        return ValueCheck.Ok(text);
    }

    private static string Iso(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Invariant);

    private static DateTimeOffset Utc(string normalized) =>
        DateTimeOffset.Parse(normalized, Invariant, DateTimeStyles.AdjustToUniversal);

    private static decimal Decimal(string normalized) => decimal.Parse(normalized, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, Invariant);

    private static GeoPosition Position(string normalized)
    {
        var parts = normalized.Split(',');
        return new GeoPosition(double.Parse(parts[0], Invariant), double.Parse(parts[1], Invariant));
    }

    [GeneratedRegex("^[A-Za-z0-9-]{1,20}$")]
    private static partial Regex Callsign();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$", RegexOptions.IgnoreCase)]
    private static partial Regex IsoWithZone();
}
