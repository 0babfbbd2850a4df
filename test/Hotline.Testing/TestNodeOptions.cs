using Microsoft.Extensions.Logging;

namespace Hotline.Testing;

/// <summary>Settings for a node the tests start in-process.</summary>
public sealed record TestNodeOptions
{
    public double HeartbeatSeconds { get; init; } = 2;
    public IReadOnlyList<string> Channels { get; init; } = Hotline.Core.Messages.Channels.Defaults;
    public LogLevel LogLevel { get; init; } = LogLevel.Error;
}
