using System.Text.Json.Nodes;
using Hotline.Core.Messages;
using Hotline.Core.Pairing;
using Hotline.Node.Hosting;
using Hotline.Node.Link;
using Hotline.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Hotline.Node.Apis;

public static class PeersApi
{
    public static RouteGroupBuilder MapPeersApi(this RouteGroupBuilder api)
    {
        api.MapGet("/peers", List);
        api.MapPost("/peers", AddAsync);
        return api;
    }

    private static IResult List(PeerDirectory directory, LinkManager links, IHotlineStore store, LinkPolicy policy) =>
        Results.Ok(directory.All.Select(p => PeerView.From(p, links.Find(p.Id), store.Counts(p.Id), policy)));

    private static async Task<IResult> AddAsync(AddPeerRequest request, PeerDirectory directory, NodeInfo node, LinkPolicy policy, TimeProvider time, CancellationToken ct)
    {
        var parsed = PairingCard.Parse(request.Card ?? "");
        if (parsed.Card is not { } card)
        {
            return Problems.Of(400, $"malformed card: {parsed.Error}", "Ask the other side for a fresh card from 'hotline card export'.");
        }
        if (card.Key.Equals(node.Key))
        {
            return Problems.Of(400, "this is this node's own card", "Add the other side's card, not your own.");
        }
        if (directory.FindByTlsPin(card.TlsCertificateSha256) is { } holder && !holder.Key.Equals(card.Key))
        {
            return Problems.Of(409, $"the card's TLS certificate is already pinned for peer '{holder.Name}' ({holder.Id})",
                "Every node has its own certificate: ask the other side for a fresh card from its own node.");
        }
        var record = PeerRecords.FromCard(card, time.GetUtcNow());
        if (policy.Labels(record).Count == 0)
        {
            return Problems.Of(400, "the card lists no confidentiality label this node accepts",
                "Agree a common label (for example UNCLASSIFIED//HOTLINE) and list it in both nodes' hotline.json 'labels'.");
        }
        await directory.AddAsync(record, ct);
        return Results.Ok(PeerView.From(record, null, null, policy));
    }
}

public sealed record AddPeerRequest(string? Card);

public sealed record PeerView
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Fingerprint { get; init; }
    public required IReadOnlyList<string> Endpoints { get; init; }
    public required IReadOnlyList<string> Channels { get; init; }
    public required string State { get; init; }
    public DateTimeOffset? StateSince { get; init; }
    public string? Endpoint { get; init; }
    /// <summary>The current path's place in the dialler's list of endpoints (0 = preferred).</summary>
    public int? PathIndex { get; init; }
    /// <summary>Why the link is degraded (missed heartbeat, slow round trip), when it is.</summary>
    public string? DegradedCause { get; init; }
    public double? RoundTripMs { get; init; }
    public string? LastError { get; init; }
    public long? Outbound { get; init; }
    public long? Undelivered { get; init; }
    public long? Inbound { get; init; }
    /// <summary>Labels and channels both sides agreed at pairing.</summary>
    public required IReadOnlyList<string> Labels { get; init; }
    public required Deadlines Deadlines { get; init; }
    public int[]? QueuedByPrecedence { get; init; }
    /// <summary>The peer's message catalog version (from its last Hello, else its card) and a warning when it is not ours.</summary>
    public string? CatalogVersion { get; init; }
    public string? CatalogWarning => LinkPolicy.CatalogMismatch(CatalogVersion);

    public static PeerView From(PeerRecord p, PeerLink? link, StoreCounts? counts, LinkPolicy policy) => new()
    {
        Id = p.Id,
        Name = p.Name,
        Fingerprint = Fingerprints.ForCard(p.Key, p.TlsSha256),
        Endpoints = p.Endpoints,
        Channels = policy.Channels(p),
        Labels = policy.Labels(p).Select(l => l.ToString()).ToArray(),
        Deadlines = policy.Deadlines(p),
        QueuedByPrecedence = link?.Queue.PendingByPrecedence(),
        State = (link?.State ?? LinkState.Down).ToString().ToLowerInvariant(),
        StateSince = link?.StateSince,
        Endpoint = link?.Endpoint,
        PathIndex = link?.Path?.Index,
        DegradedCause = link?.DegradedCause,
        RoundTripMs = link?.RoundTrip?.TotalMilliseconds,
        LastError = link?.IsConnected == true ? null : link?.LastError,
        Outbound = counts?.Outbound,
        Undelivered = counts?.Undelivered,
        Inbound = counts?.Inbound,
        CatalogVersion = link?.PeerCatalogVersion ?? JsonNode.Parse(p.CardJson)?["catalogVersion"]?.GetValue<string>(),
    };
}

public static class PeerRecords
{
    public static PeerRecord FromCard(PairingCard card, DateTimeOffset now) => new()
    {
        Key = card.Key,
        Name = card.Name,
        TlsSha256 = card.TlsCertificateSha256,
        Endpoints = card.Endpoints,
        Channels = card.Channels,
        Labels = card.ParsedLabels,
        CardJson = card.ToJson(),
        AddedAt = now,
    };
}
