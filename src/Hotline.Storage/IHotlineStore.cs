using Hotline.Core.Envelopes;
using Hotline.Core.Messages;
using Hotline.Protocol;

namespace Hotline.Storage;

/// <summary>
/// The node's durable state. Every write method returns only after its transaction is committed
/// and flushed to disk; callers acknowledge nothing before that.
/// </summary>
public interface IHotlineStore : IAsyncDisposable
{
    /// <summary>Numbers, chains, signs and commits a new outbound envelope for a peer.</summary>
    /// <param name="committed">Called right after the commit, in sequence order, before the task completes.</param>
    /// <param name="inline">
    /// The caller can wait for the disk: if the writer is idle, commit on the caller's thread (one
    /// request's send). False for a caller that goes on taking more work while this one commits (a
    /// stream of sends), so that what it adds meanwhile joins the next transaction.
    /// </param>
    Task<StoredMessage> AppendOutboundAsync(PeerRecord peer, EnvelopeDraft draft, Action<StoredMessage>? committed = null, CancellationToken ct = default,
        bool inline = true);

    /// <summary>
    /// As <see cref="AppendOutboundAsync(PeerRecord, EnvelopeDraft, Action{StoredMessage}?, CancellationToken, bool)"/>
    /// for several envelopes, in their order, in one transaction: all are committed or none is.
    /// </summary>
    Task<IReadOnlyList<StoredMessage>> AppendOutboundAsync(IReadOnlyList<(PeerRecord Peer, EnvelopeDraft Draft)> drafts,
        Action<StoredMessage>? committed = null, CancellationToken ct = default);

    /// <summary>
    /// Records that a local person saw or acknowledged an inbound message: appends the signed
    /// seen/acknowledgement envelope for the peer and updates the message, in one transaction.
    /// </summary>
    Task<ResponseResult> RespondAsync(PeerRecord peer, Guid messageId, EnvelopeKind kind, string actor, string? reply,
        Action<StoredMessage>? committed = null, CancellationToken ct = default);

    /// <summary>Commits verified envelopes from a peer; replays of envelopes already held change nothing.</summary>
    Task<InboundCommit> CommitInboundAsync(string peerId, IReadOnlyList<Envelope> envelopes, CancellationToken ct = default);

    /// <summary>As <see cref="CommitInboundAsync(string, IReadOnlyList{Envelope}, CancellationToken)"/>, recording the path the new envelopes arrived on.</summary>
    /// <param name="inline">The caller holds no lock and can wait for the disk: if the writer is idle, commit on the caller's thread.</param>
    Task<InboundCommit> CommitInboundAsync(string peerId, IReadOnlyList<Envelope> envelopes, LinkPath? path, CancellationToken ct = default, bool inline = false);

    /// <summary>Stores a peer's signed receipt and marks the envelopes it covers delivered (or rejected).</summary>
    Task<IReadOnlyList<DeliveryChange>> ApplyReceiptAsync(string peerId, SignedReceipt receipt, ReceiptBody body, CancellationToken ct = default);

    /// <summary>As <see cref="ApplyReceiptAsync(string, SignedReceipt, ReceiptBody, CancellationToken)"/>, recording the path the receipt came on as the path of the envelopes it delivers.</summary>
    Task<IReadOnlyList<DeliveryChange>> ApplyReceiptAsync(string peerId, SignedReceipt receipt, ReceiptBody body, LinkPath? path, CancellationToken ct = default);

    /// <summary>Outbound envelopes the peer has not yet receipted, in sequence order.</summary>
    IReadOnlyList<StoredMessage> LoadUndelivered(string peerId);

    /// <summary>What the outbound queue keeps of the unreceipted envelopes: sequence number, precedence and size, in sequence order.</summary>
    IReadOnlyList<OutboxEntry> LoadOutbox(string peerId);

    /// <summary>The signed bytes of outbound envelopes, by sequence number (those not held are left out).</summary>
    IReadOnlyDictionary<long, WireEnvelope> LoadWire(string peerId, IReadOnlyList<long> seqs);

    IReadOnlyList<StoredMessage> ListMessages(MessageQuery query);

    /// <summary>
    /// Messages of one direction and precedence not yet acknowledged (nor refused), oldest first, at
    /// most <paramref name="limit"/>: what waits for a person, found without reading what does not.
    /// </summary>
    IReadOnlyList<StoredMessage> ListOpen(Direction direction, Precedence precedence, int limit);

    StoredMessage? FindMessage(Guid id, Direction? direction = null);

    Task AddPeerAsync(PeerRecord peer, CancellationToken ct = default);

    Task UpdatePeerSettingsAsync(string peerId, PeerSettings settings, CancellationToken ct = default);

    IReadOnlyList<PeerRecord> ListPeers();

    Task RecordSecurityEventAsync(string kind, string detail, CancellationToken ct = default);

    IReadOnlyList<SecurityEvent> ListSecurityEvents(int limit = 100);

    StoreCounts Counts(string peerId);

    /// <summary>What the store's single writer has done since it opened (for /metrics).</summary>
    WriterStats Writer { get; }

    /// <summary>
    /// Messages of one peer, direction and precedence created after <paramref name="createdAfter"/> and at or before
    /// <paramref name="createdBefore"/> that have no alarm of <paramref name="kind"/>, oldest first.
    /// </summary>
    IReadOnlyList<OverdueCandidate> FindOverdue(string peerId, Direction direction, Precedence precedence, string kind,
        DateTimeOffset createdAfter, DateTimeOffset createdBefore, TimeSpan deadline, int limit);

    /// <summary>Raises an alarm once; returns null when that message already has one of this kind.</summary>
    Task<Alarm?> RaiseAlarmAsync(Guid messageId, Direction direction, string peerId, string kind, string reason, CancellationToken ct = default);

    IReadOnlyList<Alarm> ListAlarms(bool openOnly, int limit = 500);

    /// <summary>Marks escalation step <paramref name="step"/> as notified and queues its hook notifications.</summary>
    Task AdvanceAlarmAsync(long alarmId, int step, IReadOnlyList<(string Hook, string Payload)> notifications, CancellationToken ct = default);

    /// <summary>Clears every open alarm of a message; returns the alarms cleared.</summary>
    Task<IReadOnlyList<Alarm>> ClearAlarmsAsync(Guid messageId, string clearedBy, CancellationToken ct = default);

    IReadOnlyList<Notification> DueNotifications(DateTimeOffset now, int limit);

    IReadOnlyList<Notification> ListNotifications(long? alarmId = null);

    Task RecordNotificationAttemptAsync(long notificationId, bool succeeded, string? error, DateTimeOffset nextAttempt, CancellationToken ct = default);
}

public sealed record StoreCounts(long Outbound, long Undelivered, long Inbound);

/// <summary>
/// The single writer's work since the store opened: transactions committed, the operations they
/// held, the time spent running them, committing and calling back their callers (the writer runs
/// one batch at a time: busy / elapsed is how full it is), and the part of that spent in COMMIT
/// (writing the log and waiting for its <c>fsync</c>, and the log checkpoints SQLite runs there),
/// and the CPU time its thread used in all that (Linux; 0 elsewhere): busy time minus CPU time is
/// time spent waiting, for the disk or for a core. Slow transactions held the writer for
/// <see cref="SlowTransaction"/> or longer (a stalled disk, a long log checkpoint, its thread kept off a full machine's cores): everything
/// queued meanwhile, urgent work too, waited for them.
/// </summary>
public readonly record struct WriterStats(long Transactions, long Operations, double BusySeconds, double CommitSeconds, double CpuSeconds,
    long SlowTransactions, double SlowSeconds)
{
    public static readonly TimeSpan SlowTransaction = TimeSpan.FromMilliseconds(100);
}

/// <summary>An unreceipted outbound envelope as the outbound queue tracks it.</summary>
public readonly record struct OutboxEntry(long Seq, Precedence Precedence, int Size);

/// <summary>An outbound envelope that a receipt has just marked delivered or rejected.</summary>
public sealed record DeliveryChange(Guid Id, long Seq, string Channel, DateTimeOffset At, string? Rejected);
