using System.Diagnostics;
using Hotline.Core.Identity;

namespace Hotline.Cli.Bench;

/// <summary>
/// How fast the machine was while the figures were taken. On a shared virtual machine the same build
/// gave 6,300 and 10,700 messages a second an hour apart, with no other process busy, so each run
/// measures, at its start and at its end, what a message's time is mostly made of: a signature
/// check on one core, a small write made durable in the nodes' data folder, and a hand-over from one
/// thread to another. Figures of two runs compare fairly only when these are close.
/// </summary>
/// <param name="Ed25519CheckMicroseconds">One Ed25519 signature check of a 100-byte message, on one core (median of rounds).</param>
/// <param name="FsyncP50Microseconds">Writing 4 KiB over earlier data in a file and <c>fsync</c>: median.</param>
/// <param name="FsyncP99Microseconds">The same, 99th percentile.</param>
/// <param name="WakeUpP50Microseconds">
/// From queueing a work item to an idle thread pool until it runs: median. A lone message's path
/// has five such hand-overs between threads (bench/RESULTS.md, "Where one message's 1.3 ms goes").
/// </param>
internal sealed record MachineSpeed(double Ed25519CheckMicroseconds, double FsyncP50Microseconds, double FsyncP99Microseconds, double WakeUpP50Microseconds)
{
    private const int WakeUps = 200;
    private const int Rounds = 7;
    private const int ChecksPerRound = 300;
    private const int Syncs = 300;

    /// <summary>Takes about half a second; <paramref name="folder"/> (created if needed) gets a scratch file for the time of the measurement.</summary>
    public static MachineSpeed Measure(string folder)
    {
        var check = CheckMicroseconds();
        var (p50, p99) = SyncMicroseconds(folder);
        return new(check, p50, p99, WakeUpMicroseconds());
    }

    public override string ToString() =>
        $"one Ed25519 check {Ed25519CheckMicroseconds:0.0} µs; 4 KiB write + fsync p50 {FsyncP50Microseconds:0} µs, p99 {FsyncP99Microseconds:0} µs; thread wake-up p50 {WakeUpP50Microseconds:0} µs";

    private static double CheckMicroseconds()
    {
        using var identity = NodeIdentity.Create();
        var message = new byte[100];
        Random.Shared.NextBytes(message);
        var signature = identity.Sign(message);
        var key = identity.PublicKey;
        for (var i = 0; i < ChecksPerRound; i++)
        {
            Check(key, message, signature);
        }
        var rounds = new double[Rounds];
        for (var r = 0; r < Rounds; r++)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < ChecksPerRound; i++)
            {
                Check(key, message, signature);
            }
            rounds[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / ChecksPerRound;
        }
        return Math.Round(LatencySummary.Percentile(rounds, 0.5), 1);
    }

    private static void Check(NodeKey key, byte[] message, byte[] signature)
    {
        if (!key.Verify(message, signature))
        {
            throw new InvalidOperationException("a good signature did not verify while measuring the machine");
        }
    }

    /// <summary>Overwrites, as a SQLite write-ahead log mostly does once it has wrapped: no change of size to record.</summary>
    private static (double P50, double P99) SyncMicroseconds(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"speed-{Environment.ProcessId}.tmp");
        var block = new byte[4096];
        var times = new double[Syncs];
        try
        {
            using (var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 0))
            {
                file.Write(new byte[16 * block.Length]);
                file.Flush(flushToDisk: true);
                for (var i = 0; i < Syncs; i++)
                {
                    Random.Shared.NextBytes(block);
                    var start = Stopwatch.GetTimestamp();
                    file.Position = i % 16 * block.Length;
                    file.Write(block);
                    file.Flush(flushToDisk: true);
                    times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
            }
            return (Math.Round(LatencySummary.Percentile(times, 0.5)), Math.Round(LatencySummary.Percentile(times, 0.99)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Each item is queued after a pause of a millisecond, so the pool's threads have gone back to waiting.</summary>
    private static double WakeUpMicroseconds()
    {
        var times = new double[WakeUps];
        using var ran = new ManualResetEventSlim();
        long ranAt = 0;
        for (var i = 0; i < WakeUps; i++)
        {
            Thread.Sleep(1);
            ran.Reset();
            var queued = Stopwatch.GetTimestamp();
            ThreadPool.UnsafeQueueUserWorkItem(_ =>
            {
                Volatile.Write(ref ranAt, Stopwatch.GetTimestamp());
                ran.Set();
            }, null);
            ran.Wait();
            times[i] = Stopwatch.GetElapsedTime(queued, Volatile.Read(ref ranAt)).TotalMicroseconds;
        }
        return Math.Round(LatencySummary.Percentile(times, 0.5));
    }
}
