using System.CommandLine;
using Hotline.Node.Transcript;
using Hotline.Storage.Transcript;

namespace Hotline.Cli.Commands;

internal static class VerifyCommand
{
    private const int Shown = 20;

    public static Command Create()
    {
        var all = new Option<bool>("--all") { Description = "List every problem, not only the first twenty." };
        var command = new Command("verify",
            "Check the local record: every signature, chain link, receipt and checkpoint in the database, read-only (the node may be stopped).") { all };
        command.SetAction(r =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            var config = folder.LoadConfig();
            using var identity = LoadIdentity(folder);
            StoreReport report;
            try
            {
                report = RecordEvidence.Verify(folder.DatabaseFile, identity.PublicKey, config.Name);
            }
            catch (StoreReadException e)
            {
                throw new CliError(e.Message);
            }
            foreach (var p in report.Peers)
            {
                var covered = p.Checkpoints == 0
                    ? "no checkpoint yet"
                    : $"{p.Checkpoints} checkpoint(s); the latest covers out 1–{p.CoveredOutbound}, in 1–{p.CoveredInbound}";
                Console.WriteLine($"peer {p.Name} ({p.PeerId}): out {p.Outbound} entries, in {p.Inbound} ({p.Refused} refused), {p.Receipts} receipt(s), {covered}");
            }
            foreach (var w in report.Warnings)
            {
                Console.WriteLine($"warning: {w}");
            }
            if (report.Ok)
            {
                Console.WriteLine($"OK: the record of '{config.Name}' in {folder.Path} verifies (every signature, chain link, receipt and checkpoint).");
                return 0;
            }
            Console.WriteLine($"FAILED: {report.Problems[0]}");
            foreach (var p in report.Problems.Skip(1).Take(r.GetValue(all) ? int.MaxValue : Shown - 1))
            {
                Console.WriteLine($"  also: {p}");
            }
            Console.Error.WriteLine($"hotline: the record in {folder.Path} was altered ({report.Problems.Count} problem(s)); the first: {report.Problems[0]}. "
                + "Keep this copy as it is, and compare with the peer's record ('hotline export' on both sides).");
            return 1;
        });
        return command;
    }

    internal static Core.Identity.NodeIdentity LoadIdentity(Node.Hosting.DataFolder folder)
    {
        try
        {
            return folder.LoadIdentity();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new CliError($"cannot read the identity key of {folder.Path} ({e.Message}): run as the user who owns the data folder");
        }
    }
}
