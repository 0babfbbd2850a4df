using System.Runtime.InteropServices;

namespace Hotline.Storage.Sqlite;

/// <summary>The CPU time the calling thread has used, for the writer's counters.</summary>
internal static class ThreadCpu
{
    private const int ClockThreadCpuTime = 3;
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Nanoseconds of CPU this thread has used; 0 where the clock cannot be read (not Linux).</summary>
    public static long Nanoseconds()
    {
        if (_unavailable)
        {
            return 0;
        }
        try
        {
            return ClockGetTime(ClockThreadCpuTime, out var t) == 0 ? t.Seconds * 1_000_000_000 + t.Nanoseconds : 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
            return 0;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // Blittable: no marshalling, so a plain DllImport.
    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
