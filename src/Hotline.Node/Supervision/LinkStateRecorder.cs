using System.Collections.Concurrent;
using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Storage;
using Microsoft.Extensions.Logging;

namespace Hotline.Node.Supervision;

/// <summary>
/// Every change of a link's state or path: a log line, a row in the store (stamped with the node's
/// clock, like everything else stored) and a <c>link.state</c> event.
/// </summary>
public sealed partial class LinkStateRecorder(ISupervisionStore store, EventHub events, TimeProvider time, ILogger<LinkStateRecorder> logger)
{
    private readonly ConcurrentDictionary<string, long> _failovers = new();

    /// <summary>Times a link moved to a less preferred path since the node started.</summary>
    public long Failovers(string peerId) => _failovers.GetValueOrDefault(peerId);

    /// <summary>
    /// A starting node has no session: a link whose last stored state is not down (the previous run
    /// ended without recording it, e.g. a crash) is recorded down now, so its history does not
    /// stay up for as long as the node cannot reach the peer.
    /// </summary>
    public void NodeStarting(IEnumerable<PeerRecord> peers)
    {
        var now = time.GetUtcNow();
        foreach (var peer in peers)
        {
            if (store.ListLinkTransitions(peer.Id, now, now) is [.., { State: not LinkStateNames.Down }])
            {
                Record(peer, LinkState.Down, "node started (the previous run did not record the link down)", null, null);
            }
        }
    }

    public void Record(PeerRecord peer, LinkState state, string cause, LinkPath? path, TimeSpan? roundTrip, LinkPath? previousPath = null)
    {
        var at = time.GetUtcNow();
        var name = Name(state);
        if (previousPath is not null && path is not null && path.Index > previousPath.Index)
        {
            _failovers.AddOrUpdate(peer.Id, 1, (_, n) => n + 1);
        }
        LogTransition(logger, peer.Name, name.ToUpperInvariant(), path?.ToString() ?? "-", cause);
        events.Publish(new NodeEvent
        {
            Type = EventTypes.LinkState,
            At = at,
            Peer = peer.Id,
            Detail = cause,
            Link = new LinkStateView(name, cause, path?.Index, path?.Endpoint, roundTrip?.TotalMilliseconds),
        });
        _ = WriteAsync(new LinkTransition
        {
            PeerId = peer.Id,
            At = at,
            State = name,
            Cause = cause,
            Path = path,
            RoundTripMs = roundTrip?.TotalMilliseconds,
        });
    }

    private async Task WriteAsync(LinkTransition t)
    {
        try
        {
            await store.RecordLinkTransitionAsync(t);
        }
        catch (ObjectDisposedException)
        {
            // The node is stopping and the store is closed: the last transition is lost, the report treats the gap as unknown.
        }
        catch (Exception e)
        {
            LogWriteFailed(logger, e);
        }
    }

    public static string Name(LinkState state) => state switch
    {
        LinkState.Up => LinkStateNames.Up,
        LinkState.Degraded => LinkStateNames.Degraded,
        _ => LinkStateNames.Down,
    };

    [LoggerMessage(1400, LogLevel.Information, "Link to {Peer} {State} on path {Path}: {Cause}")]
    private static partial void LogTransition(ILogger logger, string peer, string state, string path, string cause);

    [LoggerMessage(1401, LogLevel.Error, "Could not store a link transition")]
    private static partial void LogWriteFailed(ILogger logger, Exception e);
}

/// <summary>The <c>link</c> member of a <c>link.state</c> event.</summary>
public sealed record LinkStateView(string State, string Cause, int? PathIndex, string? Endpoint, double? RoundTripMs);
