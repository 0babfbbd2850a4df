using System.Runtime.InteropServices;

namespace Hotline.Cli.Bench;

/// <summary>What the figures were measured on.</summary>
internal sealed record MachineInfo
{
    public required string Os { get; init; }
    public required string Kernel { get; init; }
    public required string Cpu { get; init; }
    public required int Cores { get; init; }
    public required long MemoryBytes { get; init; }
    public required string Runtime { get; init; }
    public required string DataFilesystem { get; init; }
    public required double[] LoadAverageAtStart { get; init; }

    public static MachineInfo Describe(string dataFolder) => new()
    {
        Os = RuntimeInformation.OSDescription,
        Kernel = Read("/proc/sys/kernel/osrelease"),
        Cpu = ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown",
        Cores = Environment.ProcessorCount,
        MemoryBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        Runtime = RuntimeInformation.FrameworkDescription,
        DataFilesystem = Filesystem(dataFolder),
        LoadAverageAtStart = ProcStats.LoadAverage(),
    };

    public override string ToString() =>
        $"{Cpu}, {Cores} cores, {MemoryBytes / (1L << 30)} GiB; {Os} (kernel {Kernel}); {Runtime}; data on {DataFilesystem}";

    /// <summary>The mount that holds the data: fsync on tmpfs costs nothing, so it matters.</summary>
    private static string Filesystem(string path)
    {
        var best = (Mount: "", Text: "unknown");
        foreach (var line in ReadLines("/proc/mounts"))
        {
            var f = line.Split(' ');
            if (f.Length > 2 && path.StartsWith(f[1], StringComparison.Ordinal) && f[1].Length >= best.Mount.Length)
            {
                best = (f[1], $"{f[0]} ({f[2]}) mounted on {f[1]}");
            }
        }
        return best.Text;
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
