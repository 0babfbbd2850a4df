namespace Hotline.Core.Catalog;

/// <summary>What a catalog parameter holds; each type has one normalised (wire) form and a rendering per language.</summary>
public enum ParameterType
{
    /// <summary>Latitude and longitude; normalised to decimal degrees <c>37.5665,126.978</c>.</summary>
    Position,
    /// <summary>Letters A-Z, digits and '-', 1 to 20; normalised to upper case.</summary>
    Callsign,
    /// <summary>Degrees from north, 0 up to (not including) 360.</summary>
    Bearing,
    /// <summary>Course or heading in degrees, 0 up to (not including) 360.</summary>
    Course,
    /// <summary>Knots, 0 to 2000.</summary>
    Speed,
    /// <summary>Feet, -1500 to 100000.</summary>
    Altitude,
    /// <summary>A UTC time, given as a DTG or in ISO 8601; normalised to <c>2026-11-27T15:30:00Z</c>.</summary>
    Time,
    /// <summary>A whole number, 0 to 100000.</summary>
    Count,
    /// <summary>One line of free text, at most 200 characters.</summary>
    Text,
}

public static class ParameterTypeNames
{
    /// <summary>The name used in the catalog file: <c>position</c>, <c>callsign</c>, ...</summary>
    public static string ToWire(this ParameterType type) => type.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out ParameterType type)
    {
        type = Enum.GetValues<ParameterType>().FirstOrDefault(t => t.ToWire() == text);
        return type.ToWire() == text;
    }

    /// <summary>What a value of this type looks like, for help and error messages.</summary>
    public static string Hint(this ParameterType type) => type switch
    {
        ParameterType.Position => "latitude,longitude in decimal degrees (37.5665,126.9780) or DMS (37°33′59″N 126°58′41″E)",
        ParameterType.Callsign => "letters A-Z, digits and '-', 1 to 20 (DDG-991)",
        ParameterType.Bearing => "degrees from north, 0 to 359 (045)",
        ParameterType.Course => "degrees, 0 to 359 (270)",
        ParameterType.Speed => "knots, 0 to 2000 (12)",
        ParameterType.Altitude => "feet, -1500 to 100000 (35000)",
        ParameterType.Time => "UTC as a DTG (271530Z NOV 26) or ISO 8601 (2026-11-27T15:30Z)",
        ParameterType.Count => "a whole number, 0 to 100000",
        ParameterType.Text => "one line of text, at most 200 characters",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
