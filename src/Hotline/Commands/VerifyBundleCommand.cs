using System.CommandLine;
using Hotline.Core.Transcript.Evidence;

namespace Hotline.Cli.Commands;

internal static class VerifyBundleCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "An evidence bundle from 'hotline export'." };
        var html = new Option<string?>("--html") { Description = "Also write a printable HTML report of the bundle to this file." };
        var command = new Command("verify-bundle",
            "Check an evidence bundle offline, on any machine, and print what it records. Needs no node and no data folder.") { file, html };
        command.SetAction(r =>
        {
            var path = r.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new CliError($"no file at {path}: give the path of a bundle written by 'hotline export'");
            }
            var report = BundleVerifier.Verify(File.ReadAllBytes(path));
            if (r.GetValue(html) is { } htmlPath && report.Bundle is not null && report.CardA is not null)
            {
                File.WriteAllText(htmlPath, HtmlReport.Render(report));
                Console.WriteLine($"Wrote the printable report {htmlPath}{(report.Ok ? "" : " (marked NOT VERIFIED)")}.");
            }
            if (!report.Ok)
            {
                foreach (var p in report.Problems.Skip(1))
                {
                    Console.WriteLine($"  also: {p}");
                }
                throw new CliError($"{path} does NOT verify: {report.Problems[0]}. Do not rely on it; ask its sender for the original file");
            }
            foreach (var line in BundleSummary.Lines(report))
            {
                Console.WriteLine(line);
            }
            Console.WriteLine();
            Console.WriteLine($"VALID: every signature, chain link, checkpoint and proof in {path} checks.");
            return 0;
        });
        return command;
    }
}
