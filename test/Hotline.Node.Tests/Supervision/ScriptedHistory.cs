using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Protocol;
using Hotline.Storage;
using Hotline.Storage.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Node.Tests.Supervision;

/// <summary>
/// A known ten days of a link, written through the real store with real signed envelopes and
/// receipts: the figures a readiness report must give for [T0, T0 + 10 d] are worked out by hand
/// in <see cref="ReadinessReportTests"/>.
/// </summary>
internal sealed class ScriptedHistory(SqliteStore store, FakeTimeProvider clock, NodeIdentity me, NodeIdentity peer, PeerRecord peerRecord)
{
    private long _inSeq;
    private byte[] _inPrev = [];

    public static readonly TimeSpan Length = TimeSpan.FromDays(10);

    /// <summary>Where the store's clock must start: the history begins before T0.</summary>
    public static DateTimeOffset ClockStart(DateTimeOffset t0) => t0.AddHours(-2);

    public async Task WriteAsync(DateTimeOffset t0)
    {
        var end = t0 + Length;
        await Transition(t0.AddHours(-1), LinkStateNames.Up, "session up", 0);
        await Transition(t0.AddDays(1), LinkStateNames.Degraded, "round trip 1500 ms above 1000 ms", 0);
        await Transition(t0.AddDays(1).AddHours(1), LinkStateNames.Up, "heartbeats answered", 0);
        await Transition(t0.AddDays(2), LinkStateNames.Down, "no frame from peer for 4.0 s", null);
        await Transition(t0.AddDays(2).AddSeconds(10), LinkStateNames.Up, "failover from #0", 1);
        await Transition(t0.AddDays(3), LinkStateNames.Up, "failback from #1", 0);
        await Transition(t0.AddDays(5), LinkStateNames.Down, "no frame from peer for 4.0 s", null);
        await Transition(t0.AddDays(5).AddHours(2), LinkStateNames.Down, "no hello from the peer within 4 s", null);
        await Transition(t0.AddDays(5).AddHours(3), LinkStateNames.Up, "session up", 0);
        await Transition(t0.AddDays(8), LinkStateNames.Down, "peer closed the stream", null);
        await Transition(t0.AddDays(8).AddMinutes(30), LinkStateNames.Up, "failover from #0", 1);
        await Transition(end.AddHours(1), LinkStateNames.Down, "after the period", null);

        // Our tests of the peer: one before the period, then on time, on time, late, missed, still open.
        await OutboundTestAsync(t0.AddHours(-1), TimeSpan.FromSeconds(10));
        await OutboundTestAsync(t0.AddHours(1), TimeSpan.FromSeconds(60));
        await OutboundTestAsync(t0.AddHours(2), TimeSpan.FromSeconds(200));
        await OutboundTestAsync(t0.AddHours(3), TimeSpan.FromSeconds(420));
        await OutboundTestAsync(t0.AddHours(4), null);
        // The peer's tests of us: both answered on time.
        await InboundTestAsync(t0.AddDays(1).AddHours(5), TimeSpan.FromSeconds(30));
        await InboundTestAsync(t0.AddDays(1).AddHours(6), TimeSpan.FromSeconds(90));
        await OutboundTestAsync(end.AddSeconds(-60), null);
        clock.SetUtcNow(end);
    }

    private Task Transition(DateTimeOffset at, string state, string cause, int? path) => store.RecordLinkTransitionAsync(new LinkTransition
    {
        PeerId = peerRecord.Id,
        At = at,
        State = state,
        Cause = cause,
        Path = path is { } i ? new LinkPath(i, $"https://path{i}.example:7443") : null,
        RoundTripMs = state == LinkStateNames.Down ? null : 12,
    });

    private async Task OutboundTestAsync(DateTimeOffset at, TimeSpan? answeredAfter)
    {
        clock.SetUtcNow(at);
        var test = await store.AppendOutboundAsync(peerRecord, Draft(EnvelopeKind.Test, "schedule", null));
        clock.SetUtcNow(at.AddSeconds(1));
        var receipt = ReceiptCodec.Seal(peer, me.PublicKey, [test.Envelope.Seq], [], at.AddSeconds(1));
        await store.ApplyReceiptAsync(peerRecord.Id, receipt, ReceiptCodec.Open(peer.PublicKey, me.PublicKey, receipt)!);
        if (answeredAfter is { } after)
        {
            clock.SetUtcNow(at + after + TimeSpan.FromSeconds(1));
            await store.CommitInboundAsync(peerRecord.Id, [FromPeer(Draft(EnvelopeKind.Acknowledgement, "Lt Kim", test.Envelope.Id), at + after)]);
        }
    }

    private async Task InboundTestAsync(DateTimeOffset at, TimeSpan answeredAfter)
    {
        var test = FromPeer(Draft(EnvelopeKind.Test, "schedule", null), at);
        clock.SetUtcNow(at.AddSeconds(1));
        await store.CommitInboundAsync(peerRecord.Id, [test]);
        clock.SetUtcNow(at + answeredAfter);
        var answer = await store.AnswerLineTestAsync(peerRecord, test.Id, "Sgt Park");
        if (answer.Error is not null)
        {
            throw new InvalidOperationException(answer.Error);
        }
    }

    private Envelope FromPeer(EnvelopeDraft draft, DateTimeOffset at)
    {
        var e = EnvelopeCodec.Seal(peer, me.PublicKey, draft, ++_inSeq, _inPrev, at);
        _inPrev = e.Hash;
        return e;
    }

    private static EnvelopeDraft Draft(EnvelopeKind kind, string actor, Guid? reference) => new()
    {
        Kind = kind,
        Channel = "",
        Text = "",
        Precedence = Hotline.Core.Messages.Precedence.Immediate,
        Label = Hotline.Core.Messages.Label.Default,
        Actor = actor,
        Reference = reference,
        AnswerWithinSeconds = kind == EnvelopeKind.Test ? 300u : 0u,
    };
}
