using System.Collections.Frozen;
using Hotline.Storage;

namespace Hotline.Node.Link;

/// <summary>The paired peers, cached from the store and looked up on every handshake.</summary>
public sealed class PeerDirectory(IHotlineStore store)
{
    private volatile Snapshot _snapshot = Snapshot.Empty;

    public event Action<PeerRecord>? PeerAdded;

    public IReadOnlyCollection<PeerRecord> All => _snapshot.ById.Values;

    public void Reload() => _snapshot = new Snapshot(store.ListPeers());

    public async Task AddAsync(PeerRecord peer, CancellationToken ct)
    {
        await store.AddPeerAsync(peer, ct);
        Reload();
        PeerAdded?.Invoke(peer);
    }

    /// <summary>Changes a stored peer (endpoints, settings) and tells its link; returns the new record, or null if unknown.</summary>
    public async Task<PeerRecord?> UpdateAsync(string peerId, Func<PeerRecord, PeerRecord> change, CancellationToken ct)
    {
        if (FindById(peerId) is not { } current)
        {
            return null;
        }
        var updated = change(current);
        if (!updated.Endpoints.SequenceEqual(current.Endpoints) && store is ISupervisionStore supervision)
        {
            await supervision.UpdateEndpointsAsync(peerId, updated.Endpoints, ct);
        }
        if (updated.Settings != current.Settings)
        {
            await store.UpdatePeerSettingsAsync(peerId, updated.Settings, ct);
        }
        Reload();
        var stored = FindById(peerId);
        if (stored is not null)
        {
            PeerAdded?.Invoke(stored);
        }
        return stored;
    }

    /// <summary>What is wrong with a list of endpoints for a peer, or null: at least one, each an absolute https:// address.</summary>
    public static string? CheckEndpoints(IReadOnlyList<string> endpoints) =>
        endpoints.Count == 0 ? "give at least one endpoint"
        : endpoints.FirstOrDefault(e => !Uri.TryCreate(e, UriKind.Absolute, out var u) || u.Scheme != Uri.UriSchemeHttps || u.Host.Length == 0) is { } bad
            ? $"'{bad}' is not an absolute https:// address"
            : null;

    /// <summary>Replaces the endpoints dialled for a peer (checked with <see cref="CheckEndpoints"/> first), most preferred first.</summary>
    public Task<PeerRecord?> SetEndpointsAsync(string peerId, IReadOnlyList<string> endpoints, CancellationToken ct) =>
        UpdateAsync(peerId, r => r with { Endpoints = endpoints.Select(e => e.Trim().TrimEnd('/')).Distinct().ToArray() }, ct);

    public PeerRecord? FindById(string id) => _snapshot.ById.GetValueOrDefault(id);

    public PeerRecord? FindByTlsPin(string sha256Hex) => _snapshot.ByPin.GetValueOrDefault(sha256Hex);

    /// <summary>Finds a peer by id, by name (case-insensitive) or by a unique prefix of either.</summary>
    public PeerRecord? Resolve(string text)
    {
        var s = _snapshot;
        if (s.ById.TryGetValue(text, out var exact))
        {
            return exact;
        }
        var named = s.ById.Values.Where(p => string.Equals(p.Name, text, StringComparison.OrdinalIgnoreCase)).ToList();
        if (named.Count == 1)
        {
            return named[0];
        }
        var matches = s.ById.Values.Where(p =>
            p.Id.StartsWith(text, StringComparison.OrdinalIgnoreCase)
            || p.Name.StartsWith(text, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new([]);

        public Snapshot(IReadOnlyList<PeerRecord> peers)
        {
            ById = peers.ToFrozenDictionary(p => p.Id);
            ByPin = peers.ToFrozenDictionary(p => p.TlsSha256);
        }

        public FrozenDictionary<string, PeerRecord> ById { get; }
        public FrozenDictionary<string, PeerRecord> ByPin { get; }
    }
}
