namespace Hotline.Testing;

/// <summary>Settings for <see cref="TwoNodeCluster"/>.</summary>
public sealed record ClusterOptions
{
    public TestNodeOptions Node { get; init; } = new();

    /// <summary>Put a <see cref="FaultProxy"/> in front of each node's link, so every session crosses one.</summary>
    public bool ThroughProxies { get; init; }

    /// <summary>With <see cref="ThroughProxies"/>: how many paths (proxies, in order of preference) each node advertises.</summary>
    public int Paths { get; init; } = 1;
}
