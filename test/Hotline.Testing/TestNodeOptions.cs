using Microsoft.Extensions.Logging;

namespace Hotline.Testing;

/// <summary>Settings for a node the tests start in-process.</summary>
public sealed record TestNodeOptions
{
    public double HeartbeatSeconds { get; init; } = 2;
    public IReadOnlyList<string> Channels { get; init; } = Hotline.Core.Messages.Channels.Defaults;
    public LogLevel LogLevel { get; init; } = LogLevel.Error;
    /// <summary>The clock of deadlines and alarms (a FakeTimeProvider in deadline tests).</summary>
    public TimeProvider? Time { get; init; }
    /// <summary>Last changes to the node's settings (labels, deadlines, escalation).</summary>
    public Func<Hotline.Node.Hosting.NodeConfig, Hotline.Node.Hosting.NodeConfig>? Configure { get; init; }
}
