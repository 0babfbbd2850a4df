using System.Diagnostics.CodeAnalysis;
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
        string.IsNullOrEmpty(peerVersion) || peerVersion == Hotline.Core.Catalog.MessageCatalog.DefaultVersion ? null
        : $"the peer uses message catalog {peerVersion}, this node {Hotline.Core.Catalog.MessageCatalog.DefaultVersion}: catalog messages may read differently on the two sides";

    /// <summary>Labels both this node and the peer listed.</summary>
    public IReadOnlyList<Label> Labels(PeerRecord peer) => Label.Agreed(_labels, peer.Labels);

    /// <summary>Channels both sides offer.</summary>
    public IReadOnlyList<string> Channels(PeerRecord peer) => config.Channels.Intersect(peer.Channels).ToArray();

    // Membership of both sides' lists, as Channels and Labels intersect them, without building the
    // lists: every send and every arriving envelope asks.

    /// <summary>True when both sides offer <paramref name="channel"/>.</summary>
    public bool Offers(PeerRecord peer, [NotNullWhen(true)] string? channel) =>
        channel is not null && config.Channels.Contains(channel) && peer.Channels.Contains(channel);

    /// <summary>True when both sides listed <paramref name="label"/>.</summary>
    public bool Allows(PeerRecord peer, [NotNullWhen(true)] Label? label) =>
        label is not null && _labels.Contains(label) && peer.Labels.Contains(label);

    /// <summary>The first of this node's labels that the peer listed too: a message's label when it names none.</summary>
    public Label? DefaultLabel(PeerRecord peer)
    {
        foreach (var label in _labels)
        {
            if (peer.Labels.Contains(label))
            {
                return label;
            }
        }
        return null;
    }

    public Deadlines Deadlines(PeerRecord peer) => peer.Settings.Deadlines ?? config.Deadlines;

    /// <summary>Why an arriving, correctly signed envelope breaks what the link allows; null when it does not.</summary>
    public string? Refuse(PeerRecord peer, Envelope e)
    {
        if (e.Kind != EnvelopeKind.Message)
        {
            return null;
        }
        if (!Offers(peer, e.Channel))
        {
            return $"channel '{e.Channel}' is not offered on this link";
        }
        if (!Allows(peer, e.Label))
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
