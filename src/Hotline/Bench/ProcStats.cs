using System.Diagnostics;
using System.Globalization;

namespace Hotline.Cli.Bench;

/// <summary>The machine's TCP counters (<see cref="ProcStats.Tcp"/>); subtracted, what happened in between.</summary>
internal readonly record struct TcpCounters(long Retransmitted, long Timeouts, long ZeroWindowProbes)
{
    public static TcpCounters operator -(TcpCounters a, TcpCounters b) =>
        new(a.Retransmitted - b.Retransmitted, a.Timeouts - b.Timeouts, a.ZeroWindowProbes - b.ZeroWindowProbes);
}

/// <summary>CPU time and memory of processes, and of the whole machine, read from /proc (Linux).</summary>
internal static class ProcStats
{
    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux this runs on

    /// <summary>User plus system CPU seconds the process has used, or 0 when it is gone.</summary>
    public static double CpuSeconds(int? pid)
    {
        if (pid is not { } p)
        {
            return 0;
        }
        if (p == Environment.ProcessId)
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime.TotalSeconds;
        }
        try
        {
            var stat = File.ReadAllText($"/proc/{p}/stat");
            // Fields after the command name, which is in parentheses and may hold spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (utime + stime) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }

    /// <summary>Resident set size and its high-water mark, in bytes.</summary>
    public static (long Rss, long Peak) Memory(int? pid)
    {
        if (pid is not { } p)
        {
            return (0, 0);
        }
        try
        {
            long rss = 0, hwm = 0;
            foreach (var line in File.ReadLines($"/proc/{p}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line) * 1024;
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    hwm = Kilobytes(line) * 1024;
                }
            }
            return (rss, hwm);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (0, 0);
        }
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    /// <summary>CPU seconds the whole machine spent busy (all cores), from /proc/stat; the host's steal included.</summary>
    public static double MachineBusySeconds() => MachineSeconds(1, 2, 3, 6, 7, 8);

    /// <summary>
    /// CPU seconds the host of this virtual machine took from its cores while they had work (steal,
    /// from /proc/stat): every process here, the nodes and the bench alike, stood still meanwhile.
    /// </summary>
    public static double StolenSeconds() => MachineSeconds(8);

    // /proc/stat's first line: cpu user nice system idle iowait irq softirq steal ...
    private static double MachineSeconds(params int[] fields)
    {
        try
        {
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Sum(i => long.Parse(cpu[i], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>
    /// The machine's TCP counters (all connections, loopback included): segments retransmitted
    /// (/proc/net/snmp), retransmission timeouts and zero-window probes (/proc/net/netstat). A
    /// connection that waits for either stands still for at least 200 ms, then twice as long each
    /// time, whatever the programs at its ends do.
    /// </summary>
    public static TcpCounters Tcp()
    {
        try
        {
            var snmp = Table("/proc/net/snmp", "Tcp:");
            var ext = Table("/proc/net/netstat", "TcpExt:");
            return new(snmp.GetValueOrDefault("RetransSegs"), ext.GetValueOrDefault("TCPTimeouts"), ext.GetValueOrDefault("TCPWinProbe"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return default;
        }
    }

    // Two lines per group: the names, then the values.
    private static Dictionary<string, long> Table(string path, string group)
    {
        var lines = File.ReadLines(path).Where(l => l.StartsWith(group, StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        return lines.Count < 2 ? [] : lines[0].Skip(1).Zip(lines[1].Skip(1)).ToDictionary(p => p.First, p => long.Parse(p.Second, CultureInfo.InvariantCulture));
    }

    public static double[] LoadAverage()
    {
        try
        {
            return [.. File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Select(s => double.Parse(s, CultureInfo.InvariantCulture))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
