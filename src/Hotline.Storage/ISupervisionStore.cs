namespace Hotline.Storage;

/// <summary>
/// What link supervision keeps: state transitions, paths, endpoints edited after pairing, line
/// tests and their schedule. Implemented by the same store as <see cref="IHotlineStore"/>.
/// </summary>
public interface ISupervisionStore
{
    Task RecordLinkTransitionAsync(LinkTransition transition, CancellationToken ct = default);

    /// <summary>Transitions of a peer's link in [since, until], preceded by the last one before <paramref name="since"/> if any.</summary>
    IReadOnlyList<LinkTransition> ListLinkTransitions(string peerId, DateTimeOffset since, DateTimeOffset until);

    /// <summary>Replaces the endpoints dialled for a peer, in order of preference.</summary>
    Task UpdateEndpointsAsync(string peerId, IReadOnlyList<string> endpoints, CancellationToken ct = default);

    IReadOnlyList<LineTestRecord> ListLineTests(string? peerId, DateTimeOffset since, int limit = 10_000);

    LineTestRecord? FindLineTest(Guid id);

    /// <summary>Line tests with no answer and no missed-test alarm whose window ended at or before <paramref name="now"/>.</summary>
    IReadOnlyList<LineTestRecord> FindMissedLineTests(DateTimeOffset now, int limit = 200);

    /// <summary>
    /// A local person answers a line test the peer sent: appends the signed acknowledgement for the
    /// peer, records the answer and clears the test's alarm, in one transaction.
    /// </summary>
    Task<LineTestAnswer> AnswerLineTestAsync(PeerRecord peer, Guid testId, string actor, Action<StoredMessage>? committed = null,
        CancellationToken ct = default);

    /// <summary>The last time the scheduler ran a line test for a peer (null if never).</summary>
    DateTimeOffset? LastScheduledLineTest(string peerId);

    Task SetLastScheduledLineTestAsync(string peerId, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>The path that carried an envelope: for ours, the session its receipt came on; for theirs, the session it arrived on.</summary>
    LinkPath? PathOf(Guid id, Direction direction);

    /// <summary>Missed-test alarms ever raised with a peer (a counter for metrics).</summary>
    long CountAlarms(string peerId, string kind);

    /// <summary>A quick read that proves the database answers (readiness).</summary>
    bool Ping();
}
