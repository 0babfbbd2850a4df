using System.CommandLine;
using Hotline.Node.Hosting;

namespace Hotline.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the node: the link to its peers and the operator API, until stopped.");
        command.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            if (ApiClient.TryReadRuntime(folder) is { } running && IsAlive(running.Pid))
            {
                throw new CliError($"the node in {folder.Path} is already running (pid {running.Pid})");
            }
            HotlineHost host;
            try
            {
                host = await HotlineHost.StartAsync(folder, new HostSettings { TrimMemoryWhenIdle = true }, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Told to stop (SIGTERM, Ctrl+C) before it had started: a stop like any other.
                Console.Error.WriteLine("hotline: stopped while starting");
                return 0;
            }
            await using (host)
            {
                Console.WriteLine($"hotline: serving; operator API {host.ApiUrl}, link {host.LinkUrl}");
                await host.WaitForShutdownAsync(ct);
            }
            return 0;
        });
        return command;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited && pid != Environment.ProcessId;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
