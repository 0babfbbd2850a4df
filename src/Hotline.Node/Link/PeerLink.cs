using Google.Protobuf;
using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Core.Messages;
using Hotline.Node.Messaging;
using Hotline.Node.Supervision;
using Hotline.Protocol;
using Hotline.Storage;
using Microsoft.Extensions.Logging;

namespace Hotline.Node.Link;

public enum LinkState
{
    Down,
    Up,
    /// <summary>A session is up but its heartbeats are late or slow (see <see cref="LinkHealthRules"/>).</summary>
    Degraded,
}

/// <summary>
/// Everything about the link with one peer: its outbound queue, its current session, and the
/// rules for which session wins when both sides dial at once.
/// </summary>
public sealed class PeerLink
{
    private readonly LinkContext _ctx;
    private readonly Lock _lock = new();
    private PeerSession? _current;
    private LinkPath? _lastPath;

    internal PeerLink(LinkContext ctx, PeerRecord peer)
    {
        _ctx = ctx;
        Peer = peer;
        Queue = new OutboundQueue(ctx.Window, seqs => ctx.Store.LoadWire(peer.Id, seqs), UrgentSeen, () => UrgentLately);
        StateSince = ctx.Time.GetUtcNow();
        // The node with the lower identity key is the preferred dialler; the other dials only
        // after a grace period without a session, so that both seldom dial at once.
        WeArePreferredDialler = ctx.Identity.PublicKey.CompareTo(peer.Key) < 0;
    }

    public PeerRecord Peer { get; internal set; }
    public OutboundQueue Queue { get; }
    public bool WeArePreferredDialler { get; }
    public LinkState State { get; private set; } = LinkState.Down;
    public DateTimeOffset StateSince { get; private set; }
    public string? LastError { get; private set; }
    public string? Endpoint => _current?.Endpoint;
    public TimeSpan? RoundTrip => _current?.RoundTrip;
    /// <summary>The path of the current session: an endpoint of the side that was dialled.</summary>
    public LinkPath? Path => _current?.Path;
    /// <summary>True when the current session was dialled by this node.</summary>
    public bool CurrentDialledByUs => _current?.DialledByUs ?? false;
    /// <summary>Up or degraded: a session carries the link.</summary>
    public bool IsConnected => State != LinkState.Down;
    /// <summary>Why the link is degraded, or null.</summary>
    public string? DegradedCause { get; private set; }
    /// <summary>Where the next dial round starts in the peer's endpoints: after the one that just failed.</summary>
    internal int ResumeIndex { get; private set; }
    /// <summary>True when the last session to end was dialled by this node: this node restores it at once.</summary>
    internal bool LastDialledByUs { get; private set; }
    internal LinkSupervisionOptions Supervision => _ctx.Supervision;

    /// <summary>The session carrying the link now, if any.</summary>
    internal PeerSession? Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    internal TimeProvider Time => _ctx.Time;

    private long _urgentTicks;

    /// <summary>When a FLASH or IMMEDIATE envelope last crossed the link either way: queued here, or arrived from the peer (the minimum time if none has).</summary>
    internal DateTimeOffset UrgentAt => new(Interlocked.Read(ref _urgentTicks), TimeSpan.Zero);

    internal void UrgentSeen() => Interlocked.Exchange(ref _urgentTicks, Time.GetUtcNow().UtcTicks);

    /// <summary>How long after the last FLASH or IMMEDIATE envelope the link counts as carrying urgent traffic.</summary>
    public static readonly TimeSpan UrgentQuiet = TimeSpan.FromSeconds(2);

    /// <summary>True within <see cref="UrgentQuiet"/> of the last FLASH or IMMEDIATE envelope either way.</summary>
    internal bool UrgentLately => Time.GetUtcNow() - UrgentAt < UrgentQuiet;

    internal TimeSpan HeartbeatInterval => _ctx.HeartbeatInterval;
    internal SecurityLog Security => _ctx.Security;

    internal Task Vacant
    {
        get
        {
            lock (_lock)
            {
                return _vacant.Task;
            }
        }
    }

    private TaskCompletionSource _vacant = Completed();

    internal Hello Hello() => new()
    {
        ProtocolVersion = PeerSession.ProtocolVersion,
        NodeKey = ByteString.CopyFrom(_ctx.Identity.PublicKey.Bytes),
        NodeName = _ctx.NodeName,
        CatalogVersion = Hotline.Core.Catalog.MessageCatalog.DefaultVersion,
    };

    /// <summary>The catalog version the peer stated in its last Hello; null before one arrived.</summary>
    public string? PeerCatalogVersion { get; private set; }

    internal void NoteCatalogVersion(string version)
    {
        if (version != PeerCatalogVersion && LinkPolicy.CatalogMismatch(version) is { } mismatch)
        {
            Log.CatalogMismatch(_ctx.Logger, Peer.Name, mismatch);
        }
        PeerCatalogVersion = version;
    }

    /// <summary>Adopts a new session, or refuses it when a session that should win is already up.</summary>
    internal bool Attach(PeerSession session)
    {
        PeerSession? replaced = null;
        lock (_lock)
        {
            if (_current is { IsClosed: false } current)
            {
                var newFromPreferred = session.DialledByUs == WeArePreferredDialler;
                var currentFromPreferred = current.DialledByUs == WeArePreferredDialler;
                if (!newFromPreferred && currentFromPreferred)
                {
                    return false;
                }
                replaced = current;
            }
            // Close the old session before rewinding, and give the new one the new epoch: the old
            // one can then take nothing that the new one will not send.
            replaced?.Close("replaced by a newer session");
            _current = session;
            session.Epoch = Queue.Rewind();
            if (_vacant.Task.IsCompleted)
            {
                _vacant = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            var previous = replaced?.Path ?? _lastPath;
            _lastPath = session.Path;
            SetState(LinkState.Up, null);
            DegradedCause = null;
            _ctx.Recorder.Record(Peer, LinkState.Up, UpCause(session, previous), session.Path, session.RoundTrip, previous);
        }
        Log.LinkUp(_ctx.Logger, Peer.Name, session.Endpoint, session.DialledByUs ? "us" : "peer");
        _ctx.Events.Publish(new NodeEvent { Type = EventTypes.LinkUp, At = Time.GetUtcNow(), Peer = Peer.Id, Detail = session.Endpoint });
        return true;
    }

    internal void Detach(PeerSession session)
    {
        lock (_lock)
        {
            if (_current != session)
            {
                return;
            }
            _current = null;
            SetState(LinkState.Down, session.CloseReason);
            DegradedCause = null;
            // The next round tries the endpoint after the one that failed, then the rest in order.
            ResumeIndex = session.DialledByUs && session.Path is { Index: >= 0 } path ? path.Index + 1 : 0;
            LastDialledByUs = session.DialledByUs;
            _ctx.Recorder.Record(Peer, LinkState.Down, session.CloseReason ?? "closed", null, null);
            _vacant.TrySetResult();
        }
        Log.LinkDown(_ctx.Logger, Peer.Name, session.CloseReason ?? "closed");
        _ctx.Events.Publish(new NodeEvent { Type = EventTypes.LinkDown, At = Time.GetUtcNow(), Peer = Peer.Id, Detail = session.CloseReason });
    }

    /// <summary>The current session's heartbeats: degrade or restore the link by <see cref="LinkHealthRules"/>.</summary>
    internal void ReportHealth(PeerSession session, TimeSpan silence)
    {
        var (state, cause) = LinkHealthRules.Evaluate(silence, session.RoundTrip, _ctx.Supervision);
        lock (_lock)
        {
            if (_current != session || State == state)
            {
                return;
            }
            SetState(state, null);
            DegradedCause = state == LinkState.Degraded ? cause : null;
            _ctx.Recorder.Record(Peer, state, cause, session.Path, session.RoundTrip);
        }
    }

    internal void Failed(Exception e) => Log.SessionFailed(_ctx.Logger, e, Peer.Name);

    internal void DialFailed(string endpoint, string reason)
    {
        LastError = reason;
        Log.DialFailed(_ctx.Logger, Peer.Name, endpoint, reason);
    }

    private void SetState(LinkState state, string? reason)
    {
        if (State != state)
        {
            State = state;
            StateSince = Time.GetUtcNow();
        }
        if (reason is not null)
        {
            LastError = reason;
        }
    }

    /// <summary>Verifies and commits a batch from the peer; returns what its receipt must say (see <see cref="SealReceipt"/>).</summary>
    /// <remarks>
    /// Not cancellable: once a commit is queued the writer makes it whatever happens to the session,
    /// so this waits for it and announces what it stored. Given up with a closing session, the
    /// messages were stored unannounced, and their copies sent again were replays: never announced.
    /// </remarks>
    /// <param name="idle">
    /// The caller has nothing else to do meanwhile (a session's routine loop with no batch behind this
    /// one). A small batch, the kind a quiet link carries, is then committed on the caller's thread
    /// when the writer is idle: no hand-over to the writer and back (about 50 µs of the one-at-a-time
    /// latency, hotline bench). A large batch is always handed over, so the loop checks the next
    /// batch's signatures while this one commits.
    /// </param>
    internal async Task<ReceiptContent> OnEnvelopesAsync(EnvelopeBatch batch, LinkPath? path, bool idle = false)
    {
        var valid = new List<Envelope>(batch.Envelopes.Count);
        List<(long, string)>? rejected = null;
        // Refused for their content, these signed envelopes remain entries of the transcript's chain.
        List<(SignedEnvelope, string)>? refused = null;
        var checks = new EnvelopeCheck[batch.Envelopes.Count];
        // Signature checks are most of what a batch costs here: a large batch is spread over the
        // cores, one run of envelopes under the same batch signature to a worker, which checks them
        // in order: the first makes the run's one Ed25519 check, the others find it verified (two
        // workers in one run could both make it, at about 100 µs each). The loop waits for all of
        // them, so the order of the batch is kept.
        if (checks.Length >= ParallelChecksFrom)
        {
            var runs = SignatureRuns(batch.Envelopes);
            Parallel.For(0, runs.Count, r =>
            {
                for (var i = runs[r].Start; i < runs[r].End; i++)
                {
                    checks[i] = Open(batch.Envelopes[i]);
                }
            });
        }
        else
        {
            for (var i = 0; i < checks.Length; i++)
            {
                checks[i] = Open(batch.Envelopes[i]);
            }
        }
        for (var i = 0; i < checks.Length; i++)
        {
            var (signed, check) = (batch.Envelopes[i], checks[i]);
            if (check.Envelope is { } e)
            {
                if (_ctx.Policy.Refuse(Peer, e) is not { } refusal)
                {
                    valid.Add(e);
                    continue;
                }
                // Signed by the peer but against what was agreed at pairing: refuse it for good, visibly.
                (rejected ??= []).Add((e.Seq, refusal));
                (refused ??= []).Add((signed, refusal));
                _ctx.Security.Record(SecurityLog.PolicyViolation, $"envelope seq {e.Seq} from {Peer.Name} ({Peer.Id}) refused: {refusal}");
                continue;
            }
            var seq = TryReadSeq(signed.Body);
            _ctx.Security.Record(check.Error == "bad signature" ? SecurityLog.BadSignature : SecurityLog.BadEnvelope,
                $"envelope seq {seq} from {Peer.Name} ({Peer.Id}) rejected: {check.Error}");
            (rejected ??= []).Add((seq, check.Error!));
            (refused ??= []).Add((signed, check.Error!));
        }
        var commit = valid.Count > 0
            ? await _ctx.Store.CommitInboundAsync(Peer.Id, valid, path, inline: idle && checks.Length < ParallelChecksFrom)
            : new InboundCommit([], [], [], []);
        foreach (var (seq, reason) in commit.Conflicts)
        {
            if (_ctx.Transcript is null)
            {
                _ctx.Security.Record(SecurityLog.Conflict, $"envelope seq {seq} from {Peer.Name} ({Peer.Id}) refused: {reason}");
            }
            (rejected ??= []).Add((seq, reason));
        }
        if (_ctx.Transcript is { } transcript)
        {
            if (commit.Conflicts.Count > 0)
            {
                await transcript.OnConflictsAsync(Peer, commit.Conflicts, valid, CancellationToken.None);
            }
            if (refused is not null)
            {
                await transcript.KeepRefusedAsync(Peer, refused, CancellationToken.None);
            }
        }
        foreach (var m in commit.New)
        {
            _ctx.Events.Publish(new NodeEvent
            {
                Type = EventTypes.MessageReceived,
                At = m.CommittedAt,
                Peer = Peer.Id,
                Message = MessageView.From(m, _ctx.Policy.Language),
            });
        }
        foreach (var s in commit.States)
        {
            _ctx.Events.Publish(NodeEvent.ForState(s));
        }
        return new ReceiptContent(commit.Committed, rejected ?? [])
        {
            Urgent = valid.Count > 0 && valid.TrueForAll(e => e.Precedence.IsUrgent()),
        };
    }

    private const int ParallelChecksFrom = 8;

    /// <summary>The batch's consecutive envelopes that share a batch signature, as [start, end) runs.</summary>
    internal static List<(int Start, int End)> SignatureRuns(IReadOnlyList<SignedEnvelope> envelopes)
    {
        var runs = new List<(int, int)>(envelopes.Count / EnvelopeSignature.MaxBatch + 2);
        var start = 0;
        for (var i = 1; i <= envelopes.Count; i++)
        {
            if (i == envelopes.Count || !EnvelopeSignature.SameBatch(envelopes[i - 1].Signature.Span, envelopes[i].Signature.Span))
            {
                runs.Add((start, i));
                start = i;
            }
        }
        return runs;
    }

    // The envelopes the peer committed together share one batch signature: checked once.
    private readonly VerifiedRoots _verified = new();

    private EnvelopeCheck Open(SignedEnvelope signed) =>
        EnvelopeCodec.Open(Peer.Key, _ctx.Identity.PublicKey, signed.Body.Memory, signed.Signature.Memory, _verified);

    /// <summary>Signs one receipt for what was committed (or refused): the caller has the commit done before it asks.</summary>
    internal SignedReceipt SealReceipt(ReceiptContent content) =>
        ReceiptCodec.Seal(_ctx.Identity, Peer.Key, content.Committed, content.Rejected, Time.GetUtcNow());

    internal void OnTranscript(PeerSession session, TranscriptFrame frame) => _ctx.Transcript?.OnFrame(this, session, frame);

    /// <summary>Applies a receipt from the peer. False when it does not verify.</summary>
    /// <remarks>Not cancellable, for the reason <see cref="OnEnvelopesAsync"/> gives: the deliveries it stores are announced.</remarks>
    internal async Task<bool> OnReceiptAsync(SignedReceipt receipt, LinkPath? path)
    {
        var body = ReceiptCodec.Open(Peer.Key, _ctx.Identity.PublicKey, receipt);
        if (body is null)
        {
            _ctx.Security.Record(SecurityLog.BadReceipt, $"receipt from {Peer.Name} ({Peer.Id}) does not verify");
            return false;
        }
        var changes = await _ctx.Store.ApplyReceiptAsync(Peer.Id, receipt, body, path);
        Queue.Acknowledge(ReceiptCodec.Expand(body).Concat(body.Rejected.Select(r => (long)r.Seq)));
        foreach (var c in changes)
        {
            _ctx.Events.Publish(new NodeEvent
            {
                Type = c.Rejected is null ? EventTypes.MessageDelivered : EventTypes.MessageRejected,
                At = c.At,
                Peer = Peer.Id,
                Id = c.Id,
                Seq = c.Seq,
                Detail = c.Rejected,
            });
        }
        return true;
    }

    private static string UpCause(PeerSession session, LinkPath? previous)
    {
        var by = $"dialled by {(session.DialledByUs ? "us" : "the peer")}";
        if (previous is null)
        {
            return $"session up ({by})";
        }
        if (session.Path is not { } path || path == previous)
        {
            return $"session up ({by})";
        }
        return path.Index >= 0 && previous.Index >= 0 && path.Index < previous.Index
            ? $"failback from {previous} ({by})"
            : path.Index > previous.Index ? $"failover from {previous} ({by})"
            : $"path changed from {previous} ({by})";
    }

    private static long TryReadSeq(ByteString body)
    {
        try
        {
            return (long)EnvelopeBody.Parser.ParseFrom(body).Seq;
        }
        catch (InvalidProtocolBufferException)
        {
            return 0;
        }
    }

    private static TaskCompletionSource Completed()
    {
        var t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.SetResult();
        return t;
    }
}

/// <summary>What a receipt covers: sequence numbers committed, and those refused with the reason.</summary>
internal sealed record ReceiptContent(IReadOnlyList<long> Committed, IReadOnlyList<(long Seq, string Reason)> Rejected)
{
    /// <summary>A batch of FLASH and IMMEDIATE envelopes only: receipted as soon as it is committed.</summary>
    public bool Urgent { get; init; }

    /// <summary>One receipt for several commits: the peer then verifies and stores one signature instead of many.</summary>
    public static ReceiptContent Merge(IReadOnlyList<ReceiptContent> parts) => parts.Count == 1 ? parts[0]
        : new([.. parts.SelectMany(p => p.Committed)], [.. parts.SelectMany(p => p.Rejected)]);
}

/// <summary>What every link of the node shares.</summary>
internal sealed record LinkContext(
    NodeIdentity Identity,
    string NodeName,
    IHotlineStore Store,
    EventHub Events,
    SecurityLog Security,
    LinkPolicy Policy,
    TimeProvider Time,
    TimeSpan HeartbeatInterval,
    int Window,
    ILogger Logger,
    LinkSupervisionOptions Supervision,
    LinkStateRecorder Recorder)
{
    /// <summary>Checkpoints and divergences of the transcript (docs/protocol.md §13).</summary>
    public Transcript.TranscriptExchange? Transcript { get; init; }
}
