using System.Globalization;
using System.Text.RegularExpressions;

namespace Hotline.Core.Catalog;

/// <summary>A position in decimal degrees, read from decimal degrees or degrees-minutes-seconds.</summary>
internal readonly partial record struct GeoPosition(double Latitude, double Longitude)
{
    /// <summary>The wire form: decimal degrees, six decimals at most (about 0.1 m).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Latitude:0.######},{Longitude:0.######}");

    public static ValueCheck Parse(string text)
    {
        var upper = text.ToUpperInvariant();
        double lat, lon;
        if (DecimalPair().Match(upper) is { Success: true } d)
        {
            lat = Number(d.Groups["lat"].Value);
            lon = Number(d.Groups["lon"].Value);
        }
        else if (DmsPair().Match(upper) is { Success: true } m)
        {
            if (Dms(m.Groups["lat"].Value) is not { } a || Dms(m.Groups["lon"].Value) is not { } o)
            {
                return ValueCheck.Fail($"'{text}' is not a position: minutes and seconds must be below 60; give {ParameterType.Position.Hint()}");
            }
            lat = m.Groups["lat"].Value.EndsWith('S') ? -a : a;
            lon = m.Groups["lon"].Value.EndsWith('W') ? -o : o;
        }
        else
        {
            return ValueCheck.Fail($"'{text}' is not a position; give {ParameterType.Position.Hint()}");
        }
        if (lat is < -90 or > 90)
        {
            return ValueCheck.Fail(Invariant($"latitude {lat} is outside -90..90"));
        }
        if (lon is < -180 or > 180)
        {
            return ValueCheck.Fail(Invariant($"longitude {lon} is outside -180..180"));
        }
        return ValueCheck.Ok(new GeoPosition(lat, lon).ToString());
    }

    /// <summary>Degrees and decimal minutes, as charts and radios give them: <c>37°33.99′N 126°58.68′E</c>.</summary>
    public string Format(string lang)
    {
        var lat = Dm(Latitude);
        var lon = Dm(Longitude);
        return lang switch
        {
            CatalogLanguages.Korean => $"{(Latitude < 0 ? "남위" : "북위")} {lat} {(Longitude < 0 ? "서경" : "동경")} {lon}",
            CatalogLanguages.Chinese => $"{(Latitude < 0 ? "南纬" : "北纬")}{lat} {(Longitude < 0 ? "西经" : "东经")}{lon}",
            _ => $"{lat}{(Latitude < 0 ? 'S' : 'N')} {lon}{(Longitude < 0 ? 'W' : 'E')}",
        };
    }

    private static string Dm(double degrees)
    {
        var hundredthsOfMinute = (long)Math.Round(Math.Abs(degrees) * 6000);
        return Invariant($"{hundredthsOfMinute / 6000}°{hundredthsOfMinute % 6000 / 100.0:00.00}′");
    }

    /// <summary>One coordinate, <c>37°33′59.4″N</c>, <c>37 33.99 N</c> or <c>37.5665N</c>; null when it is not one.</summary>
    private static double? Dms(string coordinate)
    {
        var m = Coordinate().Match(coordinate);
        if (!m.Success)
        {
            return null;
        }
        var deg = Number(m.Groups["d"].Value);
        var min = m.Groups["m"].Success ? Number(m.Groups["m"].Value) : 0;
        var sec = m.Groups["s"].Success ? Number(m.Groups["s"].Value) : 0;
        var minutesAfterFraction = deg != Math.Floor(deg) && m.Groups["m"].Success;
        return min >= 60 || sec >= 60 || minutesAfterFraction ? null : deg + min / 60 + sec / 3600;
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*(?<lat>[+-]?\d{1,3}(?:\.\d+)?)\s*[,\s]\s*(?<lon>[+-]?\d{1,3}(?:\.\d+)?)\s*$")]
    private static partial Regex DecimalPair();

    [GeneratedRegex(@"^\s*(?<lat>[^NS]+[NS])[\s,;]*(?<lon>[^EW]+[EW])\s*$")]
    private static partial Regex DmsPair();

    [GeneratedRegex(@"^\s*(?<d>\d{1,3}(?:\.\d+)?)\s*°?\s*(?:(?<m>\d{1,2}(?:\.\d+)?)\s*['′]?\s*(?:(?<s>\d{1,2}(?:\.\d+)?)\s*(?:""|″|'')?\s*)?)?[NSEW]$")]
    private static partial Regex Coordinate();
}
