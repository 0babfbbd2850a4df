using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Hotline.Node.Hosting;

namespace Hotline.Cli.Demo;

/// <summary>
/// A node running as a child process (<c>hotline serve</c>), so that it can be killed for real.
/// Its output is read continuously and kept for diagnosis.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly DataFolder _folder;
    private readonly List<string> _output = [];
    private readonly bool _environmentSet;
    private Process? _process;

    /// <param name="environmentSet">Start the node with <see cref="NodeEnvironment"/>'s settings already in its environment, as a service unit sets them; false to have it re-execute itself.</param>
    public NodeProcess(DataFolder folder, bool environmentSet = true)
    {
        _folder = folder;
        _environmentSet = environmentSet;
    }

    public DataFolder Folder => _folder;
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;
    public bool IsRunning => _process is { HasExited: false };

    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>Starts the node and waits until its operator API answers.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        File.Delete(_folder.RuntimeFile);
        var process = new Process { StartInfo = ServeStartInfo(_folder, _environmentSet) };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        // The node writes its runtime file once it listens; wait until it can be read whole.
        while (ApiClient.TryReadRuntime(_folder) is null)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"node in {_folder.Path} exited with {process.ExitCode}:\n{string.Join('\n', Output)}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"node in {_folder.Path} did not start in 30 s:\n{string.Join('\n', Output)}");
            }
            await Task.Delay(20, ct);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a power cut of the process.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
    }

    /// <summary>Asks the node to stop (SIGTERM) and waits for it.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } p)
        {
            using var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await p.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
            }
        }
        _process?.Dispose();
        _process = null;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Add(line);
            if (_output.Count > 2000)
            {
                _output.RemoveRange(0, 1000);
            }
        }
    }

    /// <summary><c>hotline serve</c> on <paramref name="folder"/>, its output redirected; with <see cref="NodeEnvironment"/>'s settings in its environment, as a service unit sets them, unless told not to.</summary>
    public static ProcessStartInfo ServeStartInfo(DataFolder folder, bool environmentSet = true)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (environmentSet)
        {
            NodeEnvironment.SetFor(psi);
        }
        foreach (var arg in new[] { typeof(NodeProcess).Assembly.Location, "serve", "--data", folder.Path })
        {
            psi.ArgumentList.Add(arg);
        }
        return psi;
    }

    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A loopback port that is free right now, for a node started later to listen on. Taken below
    /// the kernel's ephemeral range: a port the OS picks for a listener (port 0) comes from that
    /// range, and so does the local port of every outgoing connection, which could take it before
    /// the node binds it (a bench run failed so once, "address already in use"). Never the same
    /// port twice in this process.
    /// </summary>
    public static int FreePort()
    {
        var below = EphemeralStart();
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var port = Random.Shared.Next(below / 2, below);
                if (!HandedOut.Contains(port) && Bindable(port))
                {
                    HandedOut.Add(port);
                    return port;
                }
            }
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of the kernel's ephemeral range (Linux: 32768 unless set otherwise).</summary>
    private static int EphemeralStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return int.TryParse(range[0], out var start) && start > 2048 ? start : 32768;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }

    public ValueTask DisposeAsync() => new(KillAsync());
}
