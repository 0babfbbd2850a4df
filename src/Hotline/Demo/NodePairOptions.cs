namespace Hotline.Cli.Demo;

/// <summary>How <see cref="NodePair.CreateAsync(string, string, string, NodePairOptions?, CancellationToken)"/> sets up the two nodes.</summary>
public sealed record NodePairOptions
{
    /// <summary>
    /// Maps a node's real link port to the port written into its pairing card, so that the peer
    /// dials through something in between (a relay that can cut the link). Null: the peer dials
    /// the node directly.
    /// </summary>
    public Func<int, int>? AdvertisedLinkPort { get; init; }

    /// <summary>The languages of the two nodes (ko, zh or en): Seoul reads Korean, Beijing Chinese.</summary>
    public (string A, string B) Languages { get; init; } = ("ko", "zh");
}
