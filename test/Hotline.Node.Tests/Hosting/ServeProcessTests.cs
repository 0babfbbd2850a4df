using System.Diagnostics;
using System.Net.Sockets;
using Hotline.Cli.Demo;
using Hotline.Node.Hosting;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Hosting;

/// <summary><c>hotline serve</c> as a process: its environment (NodeEnvironment), and a stop while it starts.</summary>
public sealed class ServeProcessTests : IDisposable
{
    private readonly TempFolder _temp = new("serve");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_bench_and_demo_start_nodes_with_the_environment_the_service_unit_sets_and_they_link()
    {
        await using var pair = await NodePair.CreateAsync(_temp.Path, "Node A", "Node B");
        await pair.A.StartAsync();
        var pid = pair.A.Pid!.Value;

        var environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0');
        Assert.Single(environment, v => v.StartsWith("DOTNET_GCgen0size=", StringComparison.Ordinal));
        AssertServiceEnvironment(environment);
        await pair.B.StartAsync();
        await pair.WaitForLinkAsync(default, TimeSpan.FromSeconds(30));
    }

    /// <summary>The budget, its cap, prompt tiering, and no system CA list: the link's certificates are pinned.</summary>
    private static void AssertServiceEnvironment(string[] environment)
    {
        Assert.Contains("DOTNET_GCgen0size=0x400000", environment);
        Assert.Contains("DOTNET_GCGen0MaxBudget=0x1000000", environment);
        Assert.Contains("DOTNET_TC_CallCountingDelayMs=10", environment);
        Assert.Contains("SSL_CERT_FILE=/dev/null", environment);
        Assert.Contains("SSL_CERT_DIR=/dev/null", environment);
    }

    [Fact]
    public async Task Nodes_the_bench_starts_run_without_the_bench_clients_collector_settings()
    {
        // The environment `hotline bench` gives itself when it re-executes.
        string[] benchSettings = ["HOTLINE_BENCH_GC", "DOTNET_gcConcurrent", "DOTNET_GCConserveMemory"];
        Environment.SetEnvironmentVariable("HOTLINE_BENCH_GC", "1");
        Environment.SetEnvironmentVariable("DOTNET_gcConcurrent", "1");
        Environment.SetEnvironmentVariable("DOTNET_GCConserveMemory", "0");
        try
        {
            await using var pair = await NodePair.CreateAsync(_temp.Path, "Node A", "Node B");
            await pair.A.StartAsync();

            var environment = (await File.ReadAllTextAsync($"/proc/{pair.A.Pid!.Value}/environ")).Split('\0');
            Assert.DoesNotContain(environment, v => benchSettings.Any(s => v.StartsWith(s + "=", StringComparison.Ordinal)));
            Assert.Contains("DOTNET_GCgen0size=0x400000", environment);
        }
        finally
        {
            foreach (var name in benchSettings)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    [Fact]
    public async Task Serve_started_by_hand_runs_with_that_environment_under_its_own_name_and_diagnostics_socket()
    {
        await using var pair = await NodePair.CreateAsync(_temp.Path, "Node A", "Node B");
        // Started as an operator would by hand: without the budget in its environment.
        await using var node = new NodeProcess(pair.A.Folder, environmentSet: false);
        await node.StartAsync();
        var pid = node.Pid!.Value;

        var environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0');
        AssertServiceEnvironment(environment);
        Assert.Equal("dotnet", (await File.ReadAllTextAsync($"/proc/{pid}/comm")).Trim());
        // The first image's socket is gone and the node's answers: dotnet-counters and dotnet-trace find the node.
        var socket = Assert.Single(Directory.GetFiles(Path.GetTempPath(), $"dotnet-diagnostic-{pid}-*-socket"));
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(socket));
    }

    [Fact]
    public async Task Stopped_while_it_starts_the_node_exits_cleanly()
    {
        await using var pair = await NodePair.CreateAsync(_temp.Path, "Node A", "Node B");
        // The moment to stop it moves through the start: every stop must be clean, and at least one
        // must come while the node starts (not before it handles signals, not after it listens).
        var duringStart = 0;
        for (var delay = 0; delay <= 400 && duringStart < 2; delay += 40)
        {
            var (exitCode, stderr) = await StopAfterAsync(pair.A.Folder, TimeSpan.FromMilliseconds(delay));
            Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
            // 143: stopped by the signal itself, before the node handles it.
            Assert.Contains(exitCode, new[] { 0, 143 });
            duringStart += stderr.Contains("hotline: stopped while starting", StringComparison.Ordinal) ? 1 : 0;
        }
        Assert.True(duringStart > 0, "no stop came while the node was starting");
    }

    /// <summary>Starts <c>hotline serve</c>, sends SIGTERM <paramref name="delay"/> after its storage code is loaded, and waits for it to exit.</summary>
    private static async Task<(int ExitCode, string Stderr)> StopAfterAsync(DataFolder folder, TimeSpan delay)
    {
        using var node = Process.Start(NodeProcess.ServeStartInfo(folder))!;
        var stderr = node.StandardError.ReadToEndAsync();
        _ = node.StandardOutput.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.ReadAllText($"/proc/{node.Id}/maps").Contains("Hotline.Storage.dll", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the node did not load its storage code in 30 s");
            await Task.Delay(2);
        }
        await Task.Delay(delay);
        using (Process.Start("kill", ["-TERM", node.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
        }
        await node.WaitForExitAsync();
        return (node.ExitCode, await stderr);
    }
}
