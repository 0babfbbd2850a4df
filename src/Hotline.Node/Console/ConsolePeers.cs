using Hotline.Node.Apis;
using Hotline.Node.Hosting;
using Hotline.Node.Link;
using Hotline.Node.Supervision;
using Hotline.Node.Users;
using Hotline.Storage;

namespace Hotline.Node.ConsoleUi;

/// <summary>The administrator's screens: peers (and their endpoints) and the node's settings. No message body is reachable from here.</summary>
public sealed class ConsolePeers(ConsoleSession session, PeerDirectory directory, LinkPolicy policy, LineTestService tests, NodeConfig config, TimeProvider time)
{
    public Task<ConsoleResult<IReadOnlyList<AdminPeer>>> PeersAsync() =>
        // Not audited: the page reloads on every change, and a list of peers holds nothing secret.
        session.ActAsync(Roles.CanAdminister, "peer.list", "", _ => Task.FromResult(ConsoleResult<IReadOnlyList<AdminPeer>>.Ok(
            directory.All.OrderBy(p => p.Name).Select(p => new AdminPeer(PeerView.From(p, null, null, policy), tests.Settings(p), tests.NextScheduled(p, time.GetUtcNow()))).ToList())));

    /// <summary>Replaces a peer's endpoints, as <c>PUT /api/peers/{peer}/endpoints</c> does: one address per line, most preferred first.</summary>
    public Task<ConsoleResult<PeerRecord>> SetEndpointsAsync(string peerId, string text, CancellationToken ct = default) =>
        session.ActAsync(Roles.CanAdminister, "peer.endpoints", peerId, async user =>
        {
            if (directory.FindById(peerId) is not { } peer)
            {
                return ConsoleResult<PeerRecord>.Fail(session.Text["error.peerGone"]);
            }
            var endpoints = text.Split(['\n', '\r', ' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (PeerDirectory.CheckEndpoints(endpoints) is { } error)
            {
                return ConsoleResult<PeerRecord>.Fail(session.Text["error.endpoints", error]);
            }
            var updated = (await directory.SetEndpointsAsync(peer.Id, endpoints, ct))!;
            await session.AuditAsync(user.Name, "peer.endpoints", $"{peer.Name} ({peer.Id}): {string.Join(" ", updated.Endpoints)}", ct);
            return ConsoleResult<PeerRecord>.Ok(updated);
        });

    /// <summary>The node's settings in force; the page never shows hook secrets or command arguments.</summary>
    public Task<ConsoleResult<NodeConfig>> SettingsAsync() =>
        session.ActAsync(Roles.CanAdminister, "settings.read", "", async user =>
        {
            await session.AuditAsync(user.Name, "settings.read", "");
            return ConsoleResult<NodeConfig>.Ok(config);
        });

    /// <summary>A webhook address without user information, query or fragment, which may carry credentials.</summary>
    public static string? SafeUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) ? $"{u.Scheme}://{u.Host}{(u.IsDefaultPort ? "" : $":{u.Port}")}{u.AbsolutePath}" : null;
}

/// <summary>A peer as the administrator sees it: identity, endpoints, channels, labels, and its line-test settings.</summary>
public sealed record AdminPeer(PeerView Peer, LineTestSettings LineTests, DateTimeOffset? NextTest);
