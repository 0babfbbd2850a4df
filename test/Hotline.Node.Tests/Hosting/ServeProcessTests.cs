using System.Diagnostics;
using System.Net.Sockets;
using Hotline.Cli.Demo;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Hosting;

/// <summary><c>hotline serve</c> as a process: its GC budget (GcTuning), and a stop while it starts.</summary>
public sealed class ServeProcessTests : IDisposable
{
    private readonly TempFolder _temp = new("serve");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_bench_and_demo_start_nodes_with_the_budget_set_as_the_service_unit_does()
    {
        await using var pair = await NodePair.CreateAsync(_temp.Path, "Node A", "Node B");
        await pair.A.StartAsync();
        var pid = pair.A.Pid!.Value;

        var environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0');
        Assert.Single(environment, v => v.StartsWith("DOTNET_GCgen0size=", StringComparison.Ordinal));
        Assert.Contains("DOTNET_GCgen0size=0x400000", environment);
    }

    [Fact]
    public async Task Serve_runs_with_the_small_gen0_budget_under_its_own_name_and_diagnostics_socket()
    {
        await using var pair = await NodePair.CreateAsync(_temp.Path, "Node A", "Node B");
        // Started as an operator would by hand: without the budget in its environment.
        await using var node = new NodeProcess(pair.A.Folder, gcBudgetInEnvironment: false);
        await node.StartAsync();
        var pid = node.Pid!.Value;

        var environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0');
        Assert.Contains("DOTNET_GCgen0size=0x400000", environment);
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
        var psi = new ProcessStartInfo(NodeProcess.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["DOTNET_GCgen0size"] = "0x400000" },
        };
        foreach (var arg in new[] { typeof(NodeProcess).Assembly.Location, "serve", "--data", pair.A.Folder.Path })
        {
            psi.ArgumentList.Add(arg);
        }
        using var node = Process.Start(psi)!;
        var stderr = node.StandardError.ReadToEndAsync();
        var stdout = node.StandardOutput.ReadToEndAsync();
        // The database is opened a few hundred milliseconds before the node listens: stop it then.
        var database = Path.GetFullPath(pair.A.Folder.DatabaseFile);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Directory.GetFiles($"/proc/{node.Id}/fd").Any(fd => Target(fd) == database))
        {
            Assert.True(DateTime.UtcNow < deadline, "the node did not open its database in 30 s");
            await Task.Delay(2);
        }
        using (Process.Start("kill", ["-TERM", node.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
        }
        await node.WaitForExitAsync();

        Assert.DoesNotContain("Unhandled exception", await stderr, StringComparison.Ordinal);
        Assert.Equal(0, node.ExitCode);
        Assert.True((await stderr).Contains("stopped while starting", StringComparison.Ordinal) || (await stdout).Contains("hotline: serving", StringComparison.Ordinal));
    }

    private static string? Target(string link)
    {
        try
        {
            return new FileInfo(link).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
