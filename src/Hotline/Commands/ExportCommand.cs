using System.CommandLine;
using System.Globalization;
using Hotline.Core.Transcript.Evidence;
using Hotline.Node.Transcript;
using Hotline.Storage.Transcript;

namespace Hotline.Cli.Commands;

internal static class ExportCommand
{
    public static Command Create()
    {
        var peer = new Option<string>("--peer") { Description = "The peer whose link to export (name, id, or a unique prefix).", Required = true };
        var from = new Option<string?>("--from") { Description = "Only entries created at or after this time (ISO 8601, e.g. 2026-11-27T15:30Z)." };
        var to = new Option<string?>("--to") { Description = "Only entries created at or before this time (ISO 8601)." };
        var only = new Option<string?>("--only") { Description = "Disclose only these message ids (comma-separated), with Merkle inclusion proofs." };
        var output = new Option<string>("--out", "-o") { Description = "The bundle file to write.", Required = true };
        var html = new Option<string?>("--html") { Description = "Also write a printable HTML report of the exchange to this file." };
        var command = new Command("export",
            "Write a signed evidence bundle of a link's transcript: entries, receipts, co-signed checkpoints and both cards.") { peer, from, to, only, output, html };
        command.SetAction(r =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            var start = ParseTime(r.GetValue(from), "--from");
            var end = ParseTime(r.GetValue(to), "--to");
            if (start > end)
            {
                throw new CliError("--from is later than --to: give the earlier time to --from", 2);
            }
            var ids = ParseIds(r.GetValue(only));
            if (ids is not null && (start is not null || end is not null))
            {
                throw new CliError("--only and --from/--to do not go together: choose the messages, or the time window", 2);
            }
            var outPath = r.GetValue(output)!;
            EnsureFolder(outPath, "--out");
            var htmlPath = r.GetValue(html);
            if (htmlPath is not null)
            {
                EnsureFolder(htmlPath, "--html");
            }

            using var identity = VerifyCommand.LoadIdentity(folder);
            var ownCard = folder.CreateCard(folder.LoadConfig()).ToJson();
            string peerId;
            try
            {
                using var reader = StoreReader.Open(folder.DatabaseFile);
                peerId = ResolvePeer(reader, r.GetValue(peer)!);
            }
            catch (StoreReadException e)
            {
                throw new CliError(e.Message);
            }
            var export = RecordEvidence.Export(folder.DatabaseFile, identity, new BundleRequest
            {
                PeerId = peerId,
                OwnCardJson = ownCard,
                From = start,
                To = end,
                Only = ids,
                Now = DateTimeOffset.UtcNow,
            });
            if (export.Bytes is not { } bytes)
            {
                throw new CliError(export.Error!);
            }
            File.WriteAllBytes(outPath, bytes);
            var report = export.Report!;
            var bundle = report.Bundle!;
            foreach (var note in export.Notes)
            {
                Console.WriteLine($"note: {note}");
            }
            Console.WriteLine($"Wrote {outPath}: {bundle.Entries.Count} entries, {bundle.Checkpoints.Count} co-signed checkpoint(s), {bundle.Proofs.Count} inclusion proof(s), {bundle.Receipts.Count} receipt(s). "
                + $"Anyone can check it with 'hotline verify-bundle {outPath}'.");
            if (htmlPath is not null)
            {
                File.WriteAllText(htmlPath, HtmlReport.Render(report));
                Console.WriteLine($"Wrote the printable report {htmlPath}.");
            }
            return 0;
        });
        return command;
    }

    private static DateTimeOffset? ParseTime(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            return t;
        }
        throw new CliError($"{option} '{text}' is not a date-time: use ISO 8601, for example 2026-11-27T15:30Z", 2);
    }

    private static List<Guid>? ParseIds(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var ids = new List<Guid>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Guid.TryParse(part, out var id))
            {
                throw new CliError($"--only: '{part}' is not a message id: give ids as 'hotline inbox' shows them, separated by commas", 2);
            }
            ids.Add(id);
        }
        return ids.Count > 0 ? ids.Distinct().ToList() : throw new CliError("--only names no message: give at least one id", 2);
    }

    private static void EnsureFolder(string path, string option)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir))
        {
            throw new CliError($"{option}: the folder {dir} does not exist: create it or choose another path", 2);
        }
    }

    /// <summary>By id, by name (case-insensitive), or by a unique prefix of either, like the node's API.</summary>
    private static string ResolvePeer(StoreReader reader, string text)
    {
        var peers = reader.Peers().Select(p => (Id: p.Text("peer_id") ?? "", Name: p.Text("name") ?? "")).ToList();
        var match = peers.Where(p => p.Id == text).ToList();
        if (match.Count == 0)
        {
            match = peers.Where(p => string.Equals(p.Name, text, StringComparison.OrdinalIgnoreCase)).ToList();
        }
        if (match.Count == 0)
        {
            match = peers.Where(p => p.Id.StartsWith(text, StringComparison.OrdinalIgnoreCase) || p.Name.StartsWith(text, StringComparison.OrdinalIgnoreCase)).ToList();
        }
        return match.Count switch
        {
            1 => match[0].Id,
            0 => throw new CliError($"unknown peer '{text}': use a name or id from 'hotline peer list'"),
            _ => throw new CliError($"'{text}' matches {match.Count} peers: give more of the name or the id"),
        };
    }
}
