using System.Text.Json;
using System.Text.Json.Serialization;
using Hotline.Core.Messages;
using Hotline.Storage;

namespace Hotline.Node.Hosting;

/// <summary>The node's settings file, <c>hotline.json</c> in the data folder.</summary>
/// <remarks>
/// Members with a default have a setter, here and in the records below: the generated serializer
/// code (<see cref="NodeFilesJson"/>) sets every init-only member, to null when the file leaves it
/// out, so a file naming only some settings would lose the defaults of the rest.
/// </remarks>
public sealed record NodeConfig
{
    public required string Name { get; init; }
    public LinkConfig Link { get; set; } = new();
    public ApiConfig Api { get; set; } = new();
    public IReadOnlyList<string> Channels { get; set; } = Hotline.Core.Messages.Channels.Defaults;

    /// <summary>The language this node renders catalog messages in and tags free text with by default: ko, zh or en.</summary>
    public string Language { get; set; } = "en";

    /// <summary>Confidentiality labels this node accepts (display form); a link allows those both sides list.</summary>
    public IReadOnlyList<string> Labels { get; set; } = [Label.Default.ToString()];

    /// <summary>Default deadlines of every link; a link may override them.</summary>
    public Deadlines Deadlines { get; set; } = new();

    public EscalationConfig Escalation { get; set; } = new();

    /// <summary>When the nodes of a link co-sign checkpoints of their transcript.</summary>
    public Transcript.TranscriptConfig Transcript { get; set; } = new();

    /// <summary>Line tests of every link unless the link has its own: schedule, time zone, answer window.</summary>
    public LineTestSettings LineTests { get; set; } = LineTestSettings.Defaults;

    public IReadOnlyList<Label> ParsedLabels() =>
        Labels.Select(l => Label.TryParse(l, out var x) ? x! : throw new InvalidDataException($"hotline.json: '{l}' is not a label (CLASSIFICATION//POLICY[//REL A,B])")).ToArray();

    /// <summary>The configured language as a catalog language; a wrong value stops the node with the fix.</summary>
    public string CatalogLanguage() => Hotline.Core.Catalog.CatalogLanguages.Normalize(Language)
        ?? throw new InvalidDataException($"hotline.json: language '{Language}' is not one of ko, zh, en");

    /// <summary>
    /// How hotline.json and node.run.json are read and written. The serializer code for them is
    /// generated at build time (<see cref="NodeFilesJson"/>): read by reflection, the settings file
    /// alone took 100 ms of a node's start.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        TypeInfoResolver = NodeFilesJson.Default,
    };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(NodeConfig))]
[JsonSerializable(typeof(RuntimeInfo))]
internal sealed partial class NodeFilesJson : JsonSerializerContext;

public sealed record LinkConfig
{
    /// <summary>Where the link (node-to-node, mutual TLS) listens.</summary>
    public string Listen { get; set; } = "127.0.0.1:7443";

    /// <summary>Addresses the peers dial, in order of preference; written into the pairing card.</summary>
    public IReadOnlyList<string> Advertise { get; set; } = ["https://127.0.0.1:7443"];

    /// <summary>Seconds between heartbeats, each way; they measure the round trip and keep the link's state.</summary>
    public double HeartbeatSeconds { get; set; } = 2;

    /// <summary>Heartbeat intervals of silence after which a path has failed: the session ends and the next endpoint is dialled (at least 2).</summary>
    public int FailAfterHeartbeats { get; set; } = 2;

    /// <summary>A heartbeat round trip above this (milliseconds) marks the link degraded.</summary>
    public double DegradedRoundTripMs { get; set; } = 1000;

    /// <summary>Hysteresis: how long a better path must stay healthy before the link returns to it.</summary>
    public double FailbackAfterSeconds { get; set; } = 60;
}

public sealed record ApiConfig
{
    /// <summary>Where the operator API listens. Loopback only unless told otherwise.</summary>
    public string Listen { get; set; } = "127.0.0.1:7080";
}

/// <summary>Who is told, and how, when a deadline passes: steps in order, each after a delay from the alarm.</summary>
public sealed record EscalationConfig
{
    public IReadOnlyList<EscalationStep> Steps { get; set; } =
    [
        new() { Name = "duty operator", AfterSeconds = 0 },
        new() { Name = "watch officer", AfterSeconds = 120 },
        new() { Name = "commander", AfterSeconds = 300 },
    ];

    public IReadOnlyDictionary<string, HookConfig> Hooks { get; set; } = new Dictionary<string, HookConfig>();
}

public sealed record EscalationStep
{
    public required string Name { get; init; }
    public double AfterSeconds { get; init; }
    /// <summary>Names of hooks (keys of <see cref="EscalationConfig.Hooks"/>) notified at this step.</summary>
    public IReadOnlyList<string> Hooks { get; set; } = [];
}

/// <summary>One notification hook: an HTTP webhook or a local command.</summary>
public sealed record HookConfig
{
    public WebhookConfig? Webhook { get; init; }
    public CommandHookConfig? Command { get; init; }
}

public sealed record WebhookConfig
{
    public required string Url { get; init; }
    /// <summary>HMAC-SHA256 key; the request carries <c>X-Hotline-Signature: sha256=HEX</c> over "timestamp.body".</summary>
    public required string Secret { get; init; }
}

public sealed record CommandHookConfig
{
    public required string Path { get; init; }
    public IReadOnlyList<string> Args { get; set; } = [];
}
