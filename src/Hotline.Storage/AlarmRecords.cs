namespace Hotline.Storage;

public static class AlarmKinds
{
    /// <summary>Our message was not delivered to the peer in time.</summary>
    public const string DeliveryOverdue = "delivery-overdue";
    /// <summary>A message (ours or theirs) was not acknowledged by a person in time.</summary>
    public const string AcknowledgementOverdue = "ack-overdue";
    /// <summary>A line test (ours or the peer's) was not answered by a person within its window.</summary>
    public const string LineTestMissed = "line-test-missed";
}

/// <summary>An alarm about one message: raised once per kind, walks the escalation chain, cleared by the acknowledgement.</summary>
public sealed record Alarm
{
    public required long Id { get; init; }
    public required Guid MessageId { get; init; }
    public required Direction Direction { get; init; }
    public required string PeerId { get; init; }
    public required string Kind { get; init; }
    public required DateTimeOffset RaisedAt { get; init; }
    /// <summary>The last escalation step notified; -1 before the first.</summary>
    public required int Step { get; init; }
    public DateTimeOffset? StepAt { get; init; }
    public required string Reason { get; init; }
    public DateTimeOffset? ClearedAt { get; init; }
    public string? ClearedBy { get; init; }
}

/// <summary>A hook notification waiting to be delivered (retried until it succeeds).</summary>
public sealed record Notification
{
    public required long Id { get; init; }
    public required long AlarmId { get; init; }
    public required int Step { get; init; }
    public required string Hook { get; init; }
    public required string Payload { get; init; }
    public required int Attempts { get; init; }
    public required DateTimeOffset NextAttempt { get; init; }
    public DateTimeOffset? DoneAt { get; init; }
    public string? LastError { get; init; }
}

/// <summary>A message past a deadline that has no alarm of that kind yet.</summary>
public sealed record OverdueCandidate(StoredMessage Message, string Kind, DateTimeOffset Deadline);
