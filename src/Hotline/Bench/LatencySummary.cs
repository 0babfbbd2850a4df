using System.Diagnostics;

namespace Hotline.Cli.Bench;

/// <summary>Percentiles of a set of latencies, in milliseconds (nearest-rank).</summary>
internal sealed record LatencySummary
{
    public required int Count { get; init; }
    public required double P50Ms { get; init; }
    public required double P99Ms { get; init; }
    public required double P999Ms { get; init; }
    public required double MaxMs { get; init; }
    public required double MeanMs { get; init; }

    public static LatencySummary Of(IEnumerable<double> ms)
    {
        var sorted = ms.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new LatencySummary { Count = 0, P50Ms = double.NaN, P99Ms = double.NaN, P999Ms = double.NaN, MaxMs = double.NaN, MeanMs = double.NaN };
        }
        return new LatencySummary
        {
            Count = sorted.Length,
            P50Ms = Rank(sorted, 0.50),
            P99Ms = Rank(sorted, 0.99),
            P999Ms = Rank(sorted, 0.999),
            MaxMs = sorted[^1],
            MeanMs = Math.Round(sorted.Average(), 3),
        };
    }

    /// <summary>Milliseconds between two Stopwatch timestamps.</summary>
    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    /// <summary>
    /// The wall clock now (Unix ms), to set against times the nodes report by the same clock. Read
    /// with each send rather than derived from the Stopwatch: on this kind of virtual machine the two
    /// clocks drift apart by tens of milliseconds a minute, and the wall clock was once seen to step by 16 s.
    /// </summary>
    public static double WallMs() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

    /// <summary>The nearest-rank percentile <paramref name="q"/> (0 to 1) of any set of measurements, in their own unit.</summary>
    public static double Percentile(IEnumerable<double> values, double q) => Rank(values.Order().ToArray(), q);

    private static double Rank(double[] sorted, double q) =>
        Math.Round(sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)], 3);

    /// <summary>"p50 / p99 / p99.9 ms" for the table.</summary>
    public string Triple() => Count == 0 ? "-" : $"{P50Ms:0.00} / {P99Ms:0.00} / {P999Ms:0.00}";
}
