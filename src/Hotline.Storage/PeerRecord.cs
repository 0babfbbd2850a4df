using Hotline.Core.Identity;

namespace Hotline.Storage;

/// <summary>A paired peer: its pinned identity key and TLS certificate, where to reach it, what it offers.</summary>
public sealed record PeerRecord
{
    public required NodeKey Key { get; init; }
    public required string Name { get; init; }
    public required string TlsSha256 { get; init; }
    public required IReadOnlyList<string> Endpoints { get; init; }
    public required IReadOnlyList<string> Channels { get; init; }
    public required string CardJson { get; init; }
    public required DateTimeOffset AddedAt { get; init; }

    public string Id => Key.Id;
}
