using System.Runtime;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hotline.Node.Hosting;

/// <summary>
/// Gives memory back once a burst is over. Under load the managed heap and the C allocator grow
/// (a node that moved 60,000 messages held 80 MB of anonymous memory, 6 MB of it live objects) and
/// keep that memory when the node goes quiet, which is most of a hotline's life. When a check
/// interval passes with next to no allocation after a busy one, one compacting collection returns
/// the heap's free space to the system, and the C allocator its free pages.
/// </summary>
internal sealed class IdleTrim(ILogger<IdleTrim> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    // Heartbeats and the metrics allocate a little even when nothing is sent.
    private const long QuietBytes = 1 << 20;
    // Not worth a full collection for less than this since the last one.
    private const long BusyBytes = 16 << 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        var last = GC.GetTotalAllocatedBytes();
        var lastTrim = last;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = GC.GetTotalAllocatedBytes();
                if (now - last < QuietBytes && last - lastTrim >= BusyBytes)
                {
                    Trim();
                    lastTrim = now;
                }
                last = now;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Trim()
    {
        var before = Environment.WorkingSet;
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _ = MallocTrim(0);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // Not glibc (musl, for example): the managed heap alone is given back.
            }
        }
        Log.MemoryTrimmed(logger, before >> 20, Environment.WorkingSet >> 20);
    }

    // Blittable: no marshalling, so a plain DllImport.
    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
