using System.Text.Json;
using Hotline.Core.Messages;

namespace Hotline.Node.Hosting;

/// <summary>The node's settings file, <c>hotline.json</c> in the data folder.</summary>
public sealed record NodeConfig
{
    public required string Name { get; init; }
    public LinkConfig Link { get; init; } = new();
    public ApiConfig Api { get; init; } = new();
    public IReadOnlyList<string> Channels { get; init; } = Hotline.Core.Messages.Channels.Defaults;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}

public sealed record LinkConfig
{
    /// <summary>Where the link (node-to-node, mutual TLS) listens.</summary>
    public string Listen { get; init; } = "127.0.0.1:7443";

    /// <summary>Addresses the peers dial, in order of preference; written into the pairing card.</summary>
    public IReadOnlyList<string> Advertise { get; init; } = ["https://127.0.0.1:7443"];

    /// <summary>Seconds between heartbeats; a session with no frame for three intervals is dead.</summary>
    public double HeartbeatSeconds { get; init; } = 2;
}

public sealed record ApiConfig
{
    /// <summary>Where the operator API listens. Loopback only unless told otherwise.</summary>
    public string Listen { get; init; } = "127.0.0.1:7080";
}
