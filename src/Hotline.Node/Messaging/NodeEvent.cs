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
}

public static class EventTypes
{
    public const string MessageReceived = "message.received";
    public const string MessageCommitted = "message.committed";
    public const string MessageDelivered = "message.delivered";
    public const string MessageRejected = "message.rejected";
    public const string LinkUp = "link.up";
    public const string LinkDown = "link.down";
    public const string Security = "security";
}
