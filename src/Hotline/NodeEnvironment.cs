using System.Collections;
using System.Runtime.InteropServices;

namespace Hotline.Cli;

/// <summary>
/// The environment of the two long-running commands: for <c>hotline serve</c> the young-generation
/// budget, prompt tiered compilation and no system CA list, for <c>hotline bench</c>'s client
/// background collections. Settings
/// the runtime reads only from the environment, so the process re-executes itself once with them.
/// </summary>
/// <remarks>
/// The runtime sizes that budget from the largest CPU cache it sees. On a virtual machine that
/// reports a 300 MiB L3 cache it comes to 79 MB, and a node touches all of it between two
/// collections: its memory grows by that much under load and stays there when idle (hotline bench,
/// full run: peak 321 MB, with 4 MiB 202 MB, and 35 % less CPU per message). The budget can be
/// set only through the environment (<c>DOTNET_GCgen0size</c>; the runtime ignores it in
/// runtimeconfig.json), so the node re-executes itself once with it set. An operator's own setting
/// is left alone.
/// <para>
/// That budget is where the runtime starts. When much of each collection survives (an API flood
/// keeps many requests in flight) it raises it, and it let gen0 grow to about 90 MB: a node took
/// 150 MB of mostly garbage and peaked at 300 MB (outage of 100,000 messages; 207 MB capped).
/// <c>DOTNET_GCGen0MaxBudget</c> caps it at 16 MiB, set with the budget. Not in the runtimeconfig:
/// the bench client reads that too, and its own collections, more frequent under the cap with a
/// million timestamps to keep, may delay the events it times (FLASH p99 was 37 and 44 ms in the
/// two full runs with the cap there, 18 and 22 ms before; not settled, bench/RESULTS.md).
/// </para>
/// <para>
/// The bench client is the opposite case: it keeps a million arrival times and must time events
/// as they come, and every event arriving while it is paused is timed late by the pause. With the
/// node's runtimeconfig (no background collections, memory conserved) it made seventeen blocking
/// full collections in a quick run, of up to 440-575 ms (GC.GetGCMemoryInfo). <c>hotline bench</c>
/// re-executes itself once with background collections and no conserving (its longest pause in a
/// quick run then 145 ms: its young-generation collections, left as they are); the nodes it starts
/// run as the runtimeconfig says.
/// </para>
/// <para>
/// The tiered compiler recompiles a hot method (its ReadyToRun code first) once it has been called
/// 30 times, but only after 100 ms without new methods being compiled, and a node under load keeps
/// meeting new ones for seconds: 7-12 s after start, one message a request, the JIT was 10 % of the
/// nodes' CPU (0.6 % without the delay), and 5-15 s after start the pair took 299 and 383 µs of CPU
/// a message, against 202 and 227 with a delay of 10 ms (<c>DOTNET_TC_CallCountingDelayMs</c>, read
/// only from the environment). None at all also recompiles what only starting runs: start to link
/// up 1.1 → 1.55 s; with 10 ms it stays as it was (1.00-1.25 s against 1.14-1.28, alternated).
/// </para>
/// <para>
/// A node trusts no certificate authority: each link is pinned to the peer's certificate. But
/// .NET's TLS on Linux builds an X.509 chain for every certificate it is shown, and the first
/// build in a process (and the first after five minutes) parses every certificate OpenSSL's
/// system list names (144 here, twice: the bundle and the folder), about 100 ms of CPU at each
/// node's start, while two nodes started together share two cores. <c>SSL_CERT_FILE</c> and
/// <c>SSL_CERT_DIR</c> set to <c>/dev/null</c> leave that list empty for the node, whatever the
/// machine's environment names (start to link up, ten alternated pairs: 1.054 → 0.933 s median;
/// bench/RESULTS.md).
/// </para>
/// </remarks>
internal static partial class NodeEnvironment
{
    private const string Variable = "DOTNET_GCgen0size";

    /// <summary>What <c>hotline serve</c> runs with, unless its environment says otherwise: the budget, its cap and the tiering delay.</summary>
    private static readonly (string Name, string Value)[] Serve =
        [(Variable, "0x400000"), ("DOTNET_GCGen0MaxBudget", "0x1000000"), ("DOTNET_TC_CallCountingDelayMs", "10")];

    /// <summary>What it runs with whatever its environment says: no system CA list (a machine may set one for every program).</summary>
    private static readonly (string Name, string Value)[] NoCaList = [("SSL_CERT_FILE", "/dev/null"), ("SSL_CERT_DIR", "/dev/null")];
    private static readonly (string Name, string Value)[] BenchGc = [("DOTNET_gcConcurrent", "1"), ("DOTNET_GCConserveMemory", "0")];
    private const string BenchMarker = "HOTLINE_BENCH_GC";

    /// <summary>
    /// Gives a node started as a child process its environment, as the systemd unit in
    /// docs/operations.md does: it then starts the runtime once (about 140 ms less to start).
    /// </summary>
    public static void SetFor(System.Diagnostics.ProcessStartInfo child)
    {
        foreach (var (name, value) in Serve)
        {
            child.Environment.TryAdd(name, value);
        }
        foreach (var (name, value) in NoCaList)
        {
            child.Environment[name] = value;
        }
        // Started by the bench: without the bench client's own settings.
        if (child.Environment.Remove(BenchMarker))
        {
            foreach (var (name, _) in BenchGc)
            {
                child.Environment.Remove(name);
            }
        }
    }

    /// <summary>
    /// Replaces this process with itself when it is about to serve (the budget and the empty CA list
    /// set, unless the budget already is) or to bench (the bench client's collector settings).
    /// Returns if it does not.
    /// </summary>
    public static void Reexec(string[] args)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        string[] settings;
        if (IsServe(args) && Environment.GetEnvironmentVariable(Variable) is null)
        {
            settings = [.. Serve.Where(s => Environment.GetEnvironmentVariable(s.Name) is null).Concat(NoCaList).Select(s => $"{s.Name}={s.Value}")];
        }
        else if (args is ["bench", ..] && Environment.GetEnvironmentVariable(BenchMarker) is null)
        {
            settings = [.. BenchGc.Select(s => $"{s.Name}={s.Value}"), $"{BenchMarker}=1"];
        }
        else
        {
            return;
        }
        string[] argv;
        try
        {
            argv = File.ReadAllText("/proc/self/cmdline").TrimEnd('\0').Split('\0');
        }
        catch (IOException)
        {
            return;
        }
        var env = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Where(e => !NoCaList.Any(s => s.Name == (string)e.Key))
            .Select(e => $"{e.Key}={e.Value}")
            .Concat(settings);
        // The runtime's diagnostics socket is named by process id and start time, which the new image
        // keeps: remove this one's, or dotnet-counters and dotnet-trace would find it and not the node's.
        foreach (var socket in Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{Environment.ProcessId}-*-socket"))
        {
            File.Delete(socket);
        }
        // Only returns on failure; the process then runs with the runtimeconfig's settings.
        _ = Execve(Environment.ProcessPath ?? "/proc/self/exe", [.. argv, null], [.. env, null]);
    }

    private static bool IsServe(string[] args) =>
        args is ["serve", ..] || args is ["-d" or "--data", _, "serve", ..];

    [LibraryImport("libc", EntryPoint = "execve", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Execve(string path, string?[] argv, string?[] envp);
}
