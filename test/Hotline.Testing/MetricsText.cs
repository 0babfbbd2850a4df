using System.Globalization;

namespace Hotline.Testing;

/// <summary>Reads a node's <c>/metrics</c> (Prometheus text format) in tests.</summary>
public static class MetricsText
{
    /// <summary>The value of one sample, named with its labels if it has any; fails unless it is there exactly once.</summary>
    public static double Sample(string metrics, string series)
    {
        var line = metrics.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
