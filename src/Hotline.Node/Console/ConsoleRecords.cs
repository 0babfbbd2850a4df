using System.Globalization;
using Hotline.Core.Identity;
using Hotline.Node.Hosting;
using Hotline.Node.Link;
using Hotline.Node.Transcript;
using Hotline.Node.Users;
using Hotline.Storage;
using Hotline.Storage.Transcript;

namespace Hotline.Node.ConsoleUi;

/// <summary>
/// The auditor's record screens: the same verification as <c>hotline verify</c> and the same
/// bundles as <c>hotline export</c>, read-only from the database file. Auditors only (a bundle
/// carries message bodies); every run audited.
/// </summary>
public sealed class ConsoleRecords(ConsoleSession session, DataFolder folder, NodeIdentity identity, NodeConfig config, PeerDirectory directory,
    ITranscriptStore transcript, TimeProvider time)
{
    public Task<ConsoleResult<RecordCheck>> VerifyAsync(CancellationToken ct = default) =>
        session.ActAsync(Roles.CanAudit, "record.verify", "", async user =>
        {
            StoreReport report;
            try
            {
                report = RecordEvidence.Verify(folder.DatabaseFile, identity.PublicKey, config.Name);
            }
            catch (StoreReadException e)
            {
                await session.AuditAsync(user.Name, "record.verify", $"unreadable: {e.Message}", ct);
                return ConsoleResult<RecordCheck>.Fail(e.Message);
            }
            var peers = report.Peers.Select(p => new PeerCheck(p, Head(p.PeerId, Direction.Outbound), Head(p.PeerId, Direction.Inbound),
                transcript.ListDivergences(p.PeerId, 20).Select(DivergenceView.From).ToList())).ToList();
            await session.AuditAsync(user.Name, "record.verify",
                report.Ok ? $"OK: {peers.Count} link(s), {report.Warnings.Count} warning(s)" : $"FAILED: {report.Problems.Count} problem(s)", ct);
            return ConsoleResult<RecordCheck>.Ok(new RecordCheck(report, peers, time.GetUtcNow()));
        });

    /// <summary>
    /// A signed evidence bundle of one link, all of it or a window of creation times (UTC), checked
    /// before it is handed out. A refusal's error is one of <see cref="ExportErrors"/> (the page
    /// words it); why a bundle could not be built goes to the audit log.
    /// </summary>
    public Task<ConsoleResult<EvidenceDownload>> ExportAsync(UserRecord? user, string peerId, string? from, string? to, CancellationToken ct = default) =>
        session.ActAsync(user, Roles.CanAudit, "record.export", peerId, async u =>
        {
            if (directory.FindById(peerId) is not { } peer)
            {
                return ConsoleResult<EvidenceDownload>.Fail(ExportErrors.Peer);
            }
            if (!TryTime(from, out var start) || !TryTime(to, out var end))
            {
                return ConsoleResult<EvidenceDownload>.Fail(ExportErrors.Time);
            }
            if (start > end)
            {
                return ConsoleResult<EvidenceDownload>.Fail(ExportErrors.Order);
            }
            var now = time.GetUtcNow();
            var export = RecordEvidence.Export(folder.DatabaseFile, identity, new BundleRequest
            {
                PeerId = peer.Id,
                OwnCardJson = folder.CreateCard(config).ToJson(),
                From = start,
                To = end,
                Now = now,
            });
            if (export.Bytes is not { } bytes)
            {
                await session.AuditAsync(u.Name, "record.export", $"{peer.Name} ({peer.Id}) failed: {export.Error}", ct);
                return ConsoleResult<EvidenceDownload>.Fail(ExportErrors.Build);
            }
            var bundle = export.Report!.Bundle!;
            await session.AuditAsync(u.Name, "record.export",
                $"{peer.Name} ({peer.Id}) from {from ?? "start"} to {to ?? "now"}: {bundle.Entries.Count} entries, {bundle.Checkpoints.Count} checkpoint(s)", ct);
            var name = string.Concat(peer.Name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'));
            return ConsoleResult<EvidenceDownload>.Ok(new EvidenceDownload($"hotline-evidence-{name}-{now.UtcDateTime:yyyyMMdd'T'HHmm'Z'}.json", bytes));
        });

    private HeadView? Head(string peerId, Direction direction)
    {
        var seq = transcript.MaxSeq(peerId, direction);
        if (seq == 0)
        {
            return null;
        }
        string? hash = null;
        transcript.ForEachEntryHash(peerId, direction, seq, seq, (_, h) =>
        {
            hash = Convert.ToHexStringLower(h);
            return false;
        });
        return new HeadView(seq, hash);
    }

    private static bool TryTime(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            value = t;
            return true;
        }
        return false;
    }
}

/// <summary>What the auditor's verification found, per link.</summary>
public sealed record RecordCheck(StoreReport Report, IReadOnlyList<PeerCheck> Peers, DateTimeOffset At);

public sealed record PeerCheck(PeerRecordSummary Summary, HeadView? OutboundHead, HeadView? InboundHead, IReadOnlyList<DivergenceView> Divergences);

/// <summary>The last entry of one direction of a transcript: its sequence number and hash.</summary>
public sealed record HeadView(long Seq, string? Hash);

/// <summary>Why an export was refused: short codes, so that the page (not the address bar) holds the words.</summary>
public static class ExportErrors
{
    public const string Peer = "peer";
    public const string Time = "time";
    public const string Order = "order";
    public const string Build = "build";
}

public sealed record EvidenceDownload(string FileName, byte[] Bytes);
