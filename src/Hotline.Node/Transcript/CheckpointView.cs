using Hotline.Core.Identity;
using Hotline.Core.Transcript;
using Hotline.Storage;
using Hotline.Storage.Transcript;

namespace Hotline.Node.Transcript;

/// <summary>A co-signed checkpoint as the API shows it, in this node's terms (out = to the peer).</summary>
public sealed record CheckpointView
{
    public required long Id { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required DateTimeOffset StoredAt { get; init; }
    public required string Proposer { get; init; }
    public required long Outbound { get; init; }
    public required long Inbound { get; init; }
    public required string Root { get; init; }

    public static CheckpointView From(StoredCheckpoint c, NodeKey me, string myName, PeerRecord peer)
    {
        var s = CheckpointCodec.Decode(c.Body).Statement
            ?? throw new InvalidDataException($"checkpoint {c.Id} in the store is malformed; run 'hotline verify'");
        var ours = s.Sides.From(me);
        return new CheckpointView
        {
            Id = c.Id,
            Created = s.Created,
            StoredAt = c.StoredAt,
            Proposer = s.Proposer.Equals(me) ? myName : peer.Name,
            Outbound = s.Count(ours),
            Inbound = s.Count(ours == ChainDirection.AtoB ? ChainDirection.BtoA : ChainDirection.AtoB),
            Root = Convert.ToHexStringLower(s.TranscriptRoot),
        };
    }
}
