using System.CommandLine;
using Hotline.Cli.Bench;

namespace Hotline.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "A reduced run (under a minute) for CI: fails only on correctness, never on speed." };
        var json = new Option<string?>("--json") { Description = "Where to write the results as JSON (default: artifacts/bench/hotline-bench-MODE.json)." };
        var keep = new Option<bool>("--keep") { Description = "Keep the nodes' data folders when the run ends." };
        var command = new Command("bench", "Measure two real nodes on loopback: latency, throughput, FLASH behind a backlog, catch-up, memory, start-up; check every message arrived exactly once.")
        {
            quick, json, keep,
        };
        command.SetAction(async (r, ct) =>
        {
            var settings = r.GetValue(quick) ? BenchSettings.Quick() : BenchSettings.Full();
            var root = Path.Combine(Path.GetTempPath(), $"hotline-bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
            var results = new BenchResults
            {
                Command = "hotline " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
                Settings = settings,
                Machine = MachineInfo.Describe(Path.GetTempPath()),
                StartedUtc = DateTimeOffset.UtcNow,
            };
            Console.WriteLine($"bench: {settings.Mode} run; data in {root}");
            try
            {
                await new BenchRunner(settings, results, root, Console.Out).RunAsync(ct);
            }
            finally
            {
                if (!r.GetValue(keep))
                {
                    TryDelete(root);
                }
            }
            BenchReport.Judge(results);
            Console.WriteLine();
            Console.WriteLine(BenchReport.Markdown(results));
            var path = r.GetValue(json) ?? Path.Combine("artifacts", "bench", $"hotline-bench-{settings.Mode}.json");
            BenchReport.WriteJson(results, path);
            Console.WriteLine($"bench: results written to {path}");
            if (!results.Correctness.Passed)
            {
                Console.Error.WriteLine("bench: FAILED: messages were lost, duplicated or left unacknowledged (see above)");
                return 1;
            }
            var missed = results.Targets.Count(t => !t.Met);
            Console.WriteLine(missed == 0 ? "bench: every target met" : $"bench: correctness passed; {missed} speed or size target(s) missed (not a failure)");
            return 0;
        });
        return command;
    }

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
