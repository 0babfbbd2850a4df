using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
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
    Task<StoredMessage> AppendOutboundAsync(PeerRecord peer, EnvelopeDraft draft, Action<StoredMessage>? committed = null, CancellationToken ct = default);

    /// <summary>Commits verified envelopes from a peer; replays of envelopes already held change nothing.</summary>
    Task<InboundCommit> CommitInboundAsync(string peerId, IReadOnlyList<Envelope> envelopes, CancellationToken ct = default);

    /// <summary>Stores a peer's signed receipt and marks the envelopes it covers delivered (or rejected).</summary>
    Task<IReadOnlyList<DeliveryChange>> ApplyReceiptAsync(string peerId, SignedReceipt receipt, ReceiptBody body, CancellationToken ct = default);

    /// <summary>Outbound envelopes the peer has not yet receipted, in sequence order.</summary>
    IReadOnlyList<StoredMessage> LoadUndelivered(string peerId);

    IReadOnlyList<StoredMessage> ListMessages(MessageQuery query);

    StoredMessage? FindMessage(Guid id);

    Task AddPeerAsync(PeerRecord peer, CancellationToken ct = default);

    IReadOnlyList<PeerRecord> ListPeers();

    Task RecordSecurityEventAsync(string kind, string detail, CancellationToken ct = default);

    IReadOnlyList<SecurityEvent> ListSecurityEvents(int limit = 100);

    StoreCounts Counts(string peerId);
}

public sealed record StoreCounts(long Outbound, long Undelivered, long Inbound);

/// <summary>An outbound envelope that a receipt has just marked delivered or rejected.</summary>
public sealed record DeliveryChange(Guid Id, long Seq, string Channel, DateTimeOffset At, string? Rejected);
