using System.Collections.Concurrent;
using Hotline.Core.Identity;
using Hotline.Core.Transcript;
using Hotline.Node.Hosting;
using Hotline.Node.Link;
using Hotline.Storage;
using Hotline.Storage.Transcript;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hotline.Node.Transcript;

/// <summary>
/// Proposes checkpoints on each link that is up: every <see cref="TranscriptConfig.CheckpointEveryEntries"/>
/// entries or <see cref="TranscriptConfig.CheckpointEveryMinutes"/>, whichever comes first. The
/// preferred dialler of a link proposes; the other node only when none has come for twice as long,
/// so that the two seldom propose at once.
/// </summary>
/// <remarks>
/// A round covers at most <see cref="CatchUpRound"/> × <see cref="TranscriptConfig.CheckpointEveryEntries"/>
/// more entries of each direction, and while that many or more wait, rounds follow each other a tick
/// apart rather than <see cref="TranscriptConfig.RetrySeconds"/> apart. Each node hashes every entry a
/// checkpoint covers; covering all at once, a round after an outage hashed the 100,000 entries the
/// link had delivered before it, on both nodes, in the first seconds after the link came back, while
/// the backlog drained and FLASH messages crossed it (a FLASH's p99 twice as long then). For the same
/// reason no round by entry count starts within <see cref="PeerLink.UrgentQuiet"/> of a FLASH or IMMEDIATE
/// envelope crossing the link, either way; the time rule still applies.
/// </remarks>
public sealed partial class CheckpointService(
    LinkManager links, TranscriptExchange exchange, ITranscriptStore store, NodeIdentity identity, NodeConfig config, TimeProvider time,
    ILogger<CheckpointService> logger) : BackgroundService
{
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastAttempt = new();
    // Attempts in a row that got no co-signature; each doubles the wait (a peer of an older version ignores checkpoints).
    private readonly ConcurrentDictionary<string, int> _failures = new();
    private readonly ConcurrentDictionary<string, byte> _running = new();
    // The peer's entries held from seq 1, as far as the last tick found: each tick reads on from
    // there, not from the latest checkpoint's count (up to 250,000 rows every second in a flood).
    private readonly ConcurrentDictionary<string, long> _heldIn = new();
    private DateTimeOffset _started;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _started = time.GetUtcNow();
        using var timer = new PeriodicTimer(Tick, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var link in links.Links)
            {
                try
                {
                    if (link.State == LinkState.Up && Due(link) is { } upTo && _running.TryAdd(link.Peer.Id, 0))
                    {
                        _ = RunAsync(link, upTo, stoppingToken);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogCheckFailed(logger, e, link.Peer.Name);
                }
            }
        }
    }

    /// <summary>How many times <see cref="TranscriptConfig.CheckpointEveryEntries"/> one automatic round covers at most, per direction.</summary>
    public const int CatchUpRound = 10;

    /// <summary>The counts to propose up to (each direction), or null when no round is due.</summary>
    private (long Outbound, long Inbound)? Due(PeerLink link)
    {
        var peerId = link.Peer.Id;
        var now = time.GetUtcNow();
        var settings = config.Transcript ?? new TranscriptConfig();
        var failures = _failures.GetValueOrDefault(peerId);
        var retry = TimeSpan.FromSeconds(settings.RetrySeconds * (1 << Math.Min(failures, 6)));
        var sinceLast = _lastAttempt.TryGetValue(peerId, out var last) ? now - last : TimeSpan.MaxValue;
        if (failures > 0 && sinceLast < retry)
        {
            // Backing off after a failure: nothing to read until the wait is over.
            return null;
        }
        // What a proposal now would cover beyond the latest checkpoint.
        var latest = store.LatestCheckpoint(peerId);
        var (coveredOut, coveredIn) = (0L, 0L);
        if (latest is not null && CheckpointCodec.Decode(latest.Body).Statement is { } s)
        {
            var ours = s.Sides.From(identity.PublicKey);
            (coveredOut, coveredIn) = (s.Count(ours), s.Count(ours == ChainDirection.AtoB ? ChainDirection.BtoA : ChainDirection.AtoB));
        }
        var uncovered = Math.Max(0, store.SettledOutboundPrefix(peerId) - coveredOut)
            + Math.Max(0, HeldIn(peerId, coveredIn) - coveredIn);
        if (uncovered <= 0)
        {
            return null;
        }
        var factor = link.WeArePreferredDialler ? 1 : 2;
        var round = (long)settings.CheckpointEveryEntries * CatchUpRound;
        // Far behind (and the last round agreed): the next round at once, not after the retry time.
        if (sinceLast < retry && uncovered < round * factor)
        {
            return null;
        }
        var waited = now - (latest?.StoredAt ?? _started);
        // By entry count, a round (CPU on both nodes: each hashes what it covers) waits while urgent messages cross the link.
        var due = waited >= TimeSpan.FromMinutes(settings.CheckpointEveryMinutes * factor)
            || (uncovered >= (long)settings.CheckpointEveryEntries * factor && !link.UrgentLately);
        return due ? (coveredOut + round, coveredIn + round) : null;
    }

    private long HeldIn(string peerId, long covered)
    {
        var held = store.HeldInboundPrefix(peerId, Math.Max(covered, _heldIn.GetValueOrDefault(peerId)));
        _heldIn[peerId] = held;
        return held;
    }

    private async Task RunAsync(PeerLink link, (long Outbound, long Inbound) upTo, CancellationToken ct)
    {
        try
        {
            _lastAttempt[link.Peer.Id] = time.GetUtcNow();
            var outcome = await exchange.ProposeAsync(link, ct, upTo);
            if (outcome.Status is CheckpointStatus.Agreed)
            {
                _failures.TryRemove(link.Peer.Id, out _);
            }
            else
            {
                _failures.AddOrUpdate(link.Peer.Id, 1, (_, n) => n + 1);
                LogNotAgreed(logger, link.Peer.Name, outcome.Status.ToString(), outcome.Detail);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogCheckFailed(logger, e, link.Peer.Name);
        }
        finally
        {
            _running.TryRemove(link.Peer.Id, out _);
        }
    }

    [LoggerMessage(1510, LogLevel.Warning, "Checkpoint with {Peer} not co-signed ({Status}): {Detail}")]
    private static partial void LogNotAgreed(ILogger logger, string peer, string status, string detail);

    [LoggerMessage(1511, LogLevel.Error, "Checkpoint round with {Peer} failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception e, string peer);
}
