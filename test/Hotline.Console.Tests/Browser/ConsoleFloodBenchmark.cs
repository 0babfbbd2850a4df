using System.Diagnostics;
using Hotline.Node.Messaging;
using Hotline.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Hotline.Console.Tests.Browser;

/// <summary>
/// A benchmark, not a test (it asserts only that every message arrives): how much a console left
/// open on the board slows a flood between two nodes in one process. Run it with
/// <c>HOTLINE_CONSOLE_BENCH=1 dotnet test test/Hotline.Console.Tests -c Release --filter ConsoleFloodBenchmark --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class ConsoleFloodBenchmark(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const int Messages = 20_000;

    [BenchmarkFact]
    public async Task A_flood_with_the_board_open_and_without()
    {
        var runs = new Dictionary<bool, List<(double Seconds, double Cpu)>> { [false] = [], [true] = [] };
        for (var i = 0; i < 8; i++)
        {
            var open = i % 2 == 1;
            runs[open].Add(await FloodAsync(open));
            output.WriteLine($"run {i + 1}, board {(open ? "open" : "closed")}: {Messages:N0} messages in {runs[open][^1].Seconds:0.00} s, process CPU {runs[open][^1].Cpu:0.00} s");
        }
        foreach (var (open, list) in runs)
        {
            output.WriteLine($"board {(open ? "open" : "closed")}: median {Median(list.Select(r => r.Seconds)):0.00} s ({Messages / Median(list.Select(r => r.Seconds)):N0} msg/s), process CPU median {Median(list.Select(r => r.Cpu)):0.00} s");
        }
    }

    private async Task<(double, double)> FloodAsync(bool open)
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        await using var console = await ConsolePage.SignInAsync(browser, cluster.A, "kim", "watch-officer");
        if (!open)
        {
            await console.Page.GotoAsync("about:blank");
        }
        await Task.Delay(1000);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Messages; i += 100)
        {
            var batch = Enumerable.Range(i, 100)
                .Select(k => (SendRequest?)new SendRequest { Peer = cluster.A.Id, Channel = "navy", Text = $"flood {k}", Precedence = "ROUTINE" })
                .ToList();
            Assert.Null((await cluster.B.Messages.SendBatchAsync(batch, default)).Error);
        }
        while (cluster.A.Store.Counts(cluster.B.Id).Inbound < Messages)
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(2), "the flood did not arrive");
            await Task.Delay(10);
        }
        return (Stopwatch.GetElapsedTime(started).TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}

/// <summary>A fact that runs only when <c>HOTLINE_CONSOLE_BENCH</c> is set: a benchmark, out of the test suite.</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("HOTLINE_CONSOLE_BENCH") is null)
        {
            Skip = "a benchmark: set HOTLINE_CONSOLE_BENCH=1 to run it";
        }
    }
}
