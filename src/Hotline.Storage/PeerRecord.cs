using Hotline.Core.Identity;
using Hotline.Core.Messages;

namespace Hotline.Storage;

/// <summary>A paired peer: its pinned identity key and TLS certificate, where to reach it, what it offers.</summary>
public sealed record PeerRecord
{
    public required NodeKey Key { get; init; }
    public required string Name { get; init; }
    public required string TlsSha256 { get; init; }
    public required IReadOnlyList<string> Endpoints { get; init; }
    public required IReadOnlyList<string> Channels { get; init; }
    /// <summary>Labels the peer listed on its card.</summary>
    public required IReadOnlyList<Label> Labels { get; init; }
    public required string CardJson { get; init; }
    public PeerSettings Settings { get; init; } = new();
    public required DateTimeOffset AddedAt { get; init; }

    public string Id => Key.Id;
}

/// <summary>Per-link settings an administrator may change after pairing.</summary>
public sealed record PeerSettings
{
    /// <summary>Deadlines for this link; null means the node's defaults.</summary>
    public Deadlines? Deadlines { get; init; }

    /// <summary>Line tests of this link; unset members take the node's defaults.</summary>
    public LineTestSettings? LineTests { get; init; }
}
