using Hotline.Core.Envelopes;
using Hotline.Core.Messages;
using Hotline.Node.Hosting;
using Hotline.Protocol;
using Hotline.Storage;

namespace Hotline.Node.Link;

/// <summary>What a link allows, as agreed at pairing: channels, labels, and its deadlines.</summary>
public sealed class LinkPolicy(NodeConfig config)
{
    private readonly IReadOnlyList<Label> _labels = config.ParsedLabels();

    /// <summary>The language this side reads catalog messages in (ko, zh or en).</summary>
    public string Language { get; } = config.CatalogLanguage();

    /// <summary>A warning when the peer renders catalog messages from another catalog version than this node; null when they agree.</summary>
    public static string? CatalogMismatch(string? peerVersion) =>
        string.IsNullOrEmpty(peerVersion) || peerVersion == Hotline.Core.Catalog.MessageCatalog.Default.Version ? null
        : $"the peer uses message catalog {peerVersion}, this node {Hotline.Core.Catalog.MessageCatalog.Default.Version}: catalog messages may read differently on the two sides";

    /// <summary>Labels both this node and the peer listed.</summary>
    public IReadOnlyList<Label> Labels(PeerRecord peer) => Label.Agreed(_labels, peer.Labels);

    /// <summary>Channels both sides offer.</summary>
    public IReadOnlyList<string> Channels(PeerRecord peer) => config.Channels.Intersect(peer.Channels).ToArray();

    public Deadlines Deadlines(PeerRecord peer) => peer.Settings.Deadlines ?? config.Deadlines;

    /// <summary>Why an arriving, correctly signed envelope breaks what the link allows; null when it does not.</summary>
    public string? Refuse(PeerRecord peer, Envelope e)
    {
        if (e.Kind != EnvelopeKind.Message)
        {
            return null;
        }
        // Membership of both sides' lists, as Channels and Labels intersect them, without building the lists for every envelope.
        if (!config.Channels.Contains(e.Channel) || !peer.Channels.Contains(e.Channel))
        {
            return $"channel '{e.Channel}' is not offered on this link";
        }
        if (e.Label is null || !_labels.Contains(e.Label) || !peer.Labels.Contains(e.Label))
        {
            return $"label '{e.Label}' is not allowed on this link";
        }
        // A catalog message from the same catalog version must fit it; across versions it is kept and shown as sent.
        if (e.Template is { } t && t.CatalogVersion == Hotline.Core.Catalog.MessageCatalog.Default.Version
            && Hotline.Core.Catalog.CatalogText.Problem(t) is { } wrong)
        {
            return wrong;
        }
        return null;
    }
}
