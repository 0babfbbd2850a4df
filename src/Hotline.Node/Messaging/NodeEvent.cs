using System.Text.Json.Serialization;

namespace Hotline.Node.Messaging;

/// <summary>One item of the live event stream. <see cref="Type"/> names what happened.</summary>
public sealed record NodeEvent
{
    public required string Type { get; init; }
    public DateTimeOffset At { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Peer { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MessageView? Message { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Guid? Id { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Seq { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Detail { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? By { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public object? Alarm { get; init; }
    /// <summary><c>link.state</c>: the new state, its cause, the path and the round trip.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public object? Link { get; init; }
    /// <summary><c>linetest.*</c>: the test.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public object? Test { get; init; }

    /// <summary>A message was seen or acknowledged (ours by the peer, or theirs by us).</summary>
    public static NodeEvent ForState(Hotline.Storage.StateChange s) => new()
    {
        Type = s.State == "seen" ? EventTypes.MessageSeen : EventTypes.MessageAcknowledged,
        At = s.At,
        Peer = s.PeerId,
        Id = s.MessageId,
        By = s.By,
        Detail = s.Reply,
    };
}

public static class EventTypes
{
    public const string MessageReceived = "message.received";
    public const string MessageCommitted = "message.committed";
    public const string MessageDelivered = "message.delivered";
    public const string MessageRejected = "message.rejected";
    public const string MessageSeen = "message.seen";
    public const string MessageAcknowledged = "message.acknowledged";
    public const string AlarmRaised = "alarm.raised";
    public const string AlarmEscalated = "alarm.escalated";
    public const string AlarmCleared = "alarm.cleared";
    public const string LinkUp = "link.up";
    public const string LinkDown = "link.down";
    /// <summary>The link's state (up, degraded, down) or path changed.</summary>
    public const string LinkState = "link.state";
    public const string LineTestSent = "linetest.sent";
    public const string LineTestAnswered = "linetest.answered";
    public const string LineTestMissed = "linetest.missed";
    public const string Security = "security";

    /// <summary>Every type the live stream carries: what a subscriber may ask for.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        MessageReceived, MessageCommitted, MessageDelivered, MessageRejected, MessageSeen, MessageAcknowledged,
        AlarmRaised, AlarmEscalated, AlarmCleared, LinkUp, LinkDown, LinkState,
        LineTestSent, LineTestAnswered, LineTestMissed, Security,
        Transcript.TranscriptEvents.Checkpoint, Transcript.TranscriptEvents.Divergence,
    };
}
