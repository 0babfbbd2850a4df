using Hotline.Node.Hosting;
using Hotline.Node.Link;
using Hotline.Node.Transcript;
using Hotline.Storage.Transcript;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Hotline.Node.Apis;

public static class TranscriptApi
{
    public static RouteGroupBuilder MapTranscriptApi(this RouteGroupBuilder api)
    {
        api.MapPost("/peers/{peer}/checkpoint", CheckpointAsync);
        api.MapGet("/peers/{peer}/transcript", Transcript);
        return api;
    }

    /// <summary>Proposes a checkpoint now and answers once the peer has co-signed it (or refused).</summary>
    private static async Task<IResult> CheckpointAsync(string peer, PeerDirectory directory, LinkManager links, TranscriptExchange exchange,
        NodeInfo node, CancellationToken ct)
    {
        if (directory.Resolve(peer) is not { } record)
        {
            return Problems.Of(404, $"unknown peer '{peer}'", "Use a peer name or id from 'hotline peer list'.");
        }
        if (links.Find(record.Id) is not { } link)
        {
            return Problems.Of(503, $"the link with {record.Name} is down", "Wait for the link to come up ('hotline peer list'), then try again.");
        }
        var outcome = await exchange.ProposeAsync(link, ct);
        return outcome.Status switch
        {
            CheckpointStatus.Agreed => Results.Ok(CheckpointView.From(outcome.Checkpoint!, node.Key, node.Name, record)),
            CheckpointStatus.Diverged => Problems.Of(409, $"the records differ: {outcome.Detail}",
                "This is a security event: compare both nodes with 'hotline verify' and 'hotline export', and call the other side."),
            CheckpointStatus.LinkDown => Problems.Of(503, outcome.Detail, "Wait for the link to come up ('hotline peer list'), then try again."),
            CheckpointStatus.TimedOut => Problems.Of(504, outcome.Detail, "Check the link ('hotline peer list') and try again."),
            _ => Problems.Of(500, outcome.Detail, "See the node's log and security events ('hotline status')."),
        };
    }

    private static IResult Transcript(string peer, PeerDirectory directory, ITranscriptStore store, NodeInfo node, int? limit)
    {
        if (directory.Resolve(peer) is not { } record)
        {
            return Problems.Of(404, $"unknown peer '{peer}'", "Use a peer name or id from 'hotline peer list'.");
        }
        var n = Math.Clamp(limit ?? 20, 1, 1000);
        return Results.Ok(new
        {
            peer = record.Id,
            checkpoints = store.ListCheckpoints(record.Id, n).Select(c => CheckpointView.From(c, node.Key, node.Name, record)),
            divergences = store.ListDivergences(record.Id, n).Select(DivergenceView.From),
        });
    }
}
