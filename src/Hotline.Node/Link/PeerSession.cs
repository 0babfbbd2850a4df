using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Hotline.Core.Envelopes;
using Hotline.Core.Messages;
using Hotline.Node.Messaging;
using Hotline.Protocol;
using Hotline.Storage;

namespace Hotline.Node.Link;

/// <summary>
/// One live session with a peer over one stream. Sends the peer's outbound queue, commits and
/// receipts what arrives, answers heartbeats. Ends on the first error; the link dials again.
/// </summary>
public sealed class PeerSession
{
    public const uint ProtocolVersion = 1;
    private const int MaxBatchCount = 128;
    private const int MaxBatchBytes = 1 << 20;

    private readonly PeerLink _link;
    private readonly IFrameStream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _cts;
    // Commits of received batches and applications of receipts, started in arrival order (an urgent
    // batch ahead of routine ones still waiting in _routine) and finished in that order by
    // CompleteLoopAsync. Reading goes on to the next frame while the store commits, so batches that
    // arrive meanwhile share one group commit (one fsync) instead of each waiting for its own. The
    // peer's window bounds how many are pending.
    private readonly Channel<Task<ReceiptContent?>> _pending = Channel.CreateBounded<Task<ReceiptContent?>>(
        new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });
    // Routine batches, in arrival order, waiting for RoutineLoopAsync to check and queue their commits.
    // Checking signatures takes a batch a few milliseconds: the read loop hands routine batches on so
    // that an urgent batch behind them is read, checked and committed at once (the writer's urgent lane
    // then takes it ahead of them too). The peer's window bounds how many wait; a full queue holds the
    // read loop, and so the stream, as checking in the read loop did.
    private readonly Channel<EnvelopeBatch> _routine = Channel.CreateBounded<EnvelopeBatch>(
        new BoundedChannelOptions(32) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly PathSteadiness _heard;
    private long _heartbeatNonce;

    public PeerSession(PeerLink link, IFrameStream stream, bool dialledByUs, string endpoint, CancellationToken ct)
        : this(link, stream, dialledByUs, endpoint, dialledByUs ? new LinkPath(-1, endpoint) : null, probe: false, ct)
    {
    }

    /// <param name="path">The dialled endpoint and its place in the peer's list; null for a session the peer dialled (its Hello tells).</param>
    /// <param name="probe">Dialler only: test the path with heartbeats, carry nothing, never become the link's session.</param>
    internal PeerSession(PeerLink link, IFrameStream stream, bool dialledByUs, string endpoint, LinkPath? path, bool probe, CancellationToken ct)
    {
        _link = link;
        _stream = stream;
        DialledByUs = dialledByUs;
        Endpoint = endpoint;
        Path = path;
        IsProbe = probe;
        _heard = new PathSteadiness(link.Supervision);
        _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    public bool DialledByUs { get; }
    public string Endpoint { get; private set; }
    /// <summary>The path this session runs on: an endpoint of the side that was dialled (known to the accepting side from the Hello).</summary>
    public LinkPath? Path { get; private set; }
    /// <summary>A probe of a path (either side): heartbeats only.</summary>
    public bool IsProbe { get; private set; }
    /// <summary>When the Hello exchange completed; null before.</summary>
    public DateTimeOffset? EstablishedAt { get; private set; }
    public bool IsClosed => _cts.IsCancellationRequested;
    /// <summary>The outbound queue's epoch this session was given when adopted.</summary>
    internal long Epoch { get; set; } = -1;

    /// <summary>True once the link adopted this session.</summary>
    public bool WasAttached { get; private set; }
    public TimeSpan? RoundTrip { get; private set; }
    public string? CloseReason { get; private set; }

    public void Close(string reason)
    {
        CloseReason ??= reason;
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Runs the session to its end. Returns the reason it ended.</summary>
    public async Task<string> RunAsync()
    {
        var ct = _cts.Token;
        try
        {
            var ownHello = _link.Hello();
            if (DialledByUs)
            {
                ownHello.DialledEndpoint = Endpoint;
                ownHello.DialledIndex = (uint)Math.Max(0, Path?.Index ?? 0);
                ownHello.Probe = IsProbe;
            }
            // A path that swallows bytes (a partition) must not hold the dial: the Hello exchange has the failure time to finish.
            _cts.CancelAfter(_link.Supervision.FailAfter);
            await WriteAsync(new Frame { Hello = ownHello }, ct);
            if (!await _stream.Reader.MoveNext(ct) || _stream.Reader.Current.Hello is not { } hello)
            {
                return End("peer sent no hello");
            }
            _cts.CancelAfter(Timeout.InfiniteTimeSpan);
            if (hello.ProtocolVersion != ProtocolVersion || !_link.Peer.Key.Is(hello.NodeKey.Span))
            {
                _link.Security.Record(SecurityLog.BadHello, $"peer {_link.Peer.Name} ({_link.Peer.Id}) presented identity key or version that does not match its card");
                return End("hello does not match the pinned peer");
            }
            Touch();
            _link.NoteCatalogVersion(hello.CatalogVersion);
            EstablishedAt = _link.Time.GetUtcNow();
            if (!DialledByUs)
            {
                IsProbe = hello.Probe;
                if (hello.DialledEndpoint.Length > 0)
                {
                    Path = new LinkPath((int)Math.Min(hello.DialledIndex, int.MaxValue), hello.DialledEndpoint);
                    Endpoint = $"{Endpoint} to {hello.DialledEndpoint}";
                }
            }
            if (IsProbe)
            {
                return await RunProbeAsync(ct);
            }
            if (!_link.Attach(this))
            {
                await TryWriteAsync(new Frame { Goodbye = new Goodbye { Reason = "duplicate session" } });
                return End("duplicate session");
            }
            WasAttached = true;
            try
            {
                var tasks = new[] { ReadLoopAsync(ct), RoutineLoopAsync(ct), CompleteLoopAsync(ct), SendLoopAsync(ct), HeartbeatLoopAsync(ct) };
                // The first loop to end says why; the others then fail only because of the Close.
                var first = await Task.WhenAny(tasks);
                Close(first.IsFaulted ? first.Exception!.GetBaseException().Message : "session ended");
                await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
                foreach (var t in tasks.Where(t => t.IsFaulted))
                {
                    var e = t.Exception!.GetBaseException();
                    if (!IsTransportError(e))
                    {
                        _link.Failed(e);
                    }
                }
            }
            finally
            {
                _link.Detach(this);
            }
            return CloseReason ?? "session ended";
        }
        catch (Exception e) when (IsTransportError(e))
        {
            // Cancelled before the Hello, and not by Close: the Hello deadline passed.
            return End(EstablishedAt is null && e is (OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled }) && CloseReason is null
                ? $"no hello from the peer within {_link.Supervision.FailAfter.TotalSeconds:0.#} s"
                : e.Message);
        }
        finally
        {
            _cts.Cancel();
            _cts.Dispose();
        }
    }

    private string End(string reason)
    {
        CloseReason ??= reason;
        return CloseReason;
    }

    /// <summary>A probe carries heartbeats only, both ways, until it goes silent or is closed.</summary>
    private async Task<string> RunProbeAsync(CancellationToken ct)
    {
        var tasks = new[] { ReadLoopAsync(ct), HeartbeatLoopAsync(ct) };
        var first = await Task.WhenAny(tasks);
        if (first.IsFaulted)
        {
            CloseReason ??= first.Exception!.GetBaseException().Message;
        }
        Close("probe ended");
        await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        return CloseReason ?? "probe ended";
    }

    internal static bool IsTransportError(Exception e) =>
        e is RpcException or IOException or HttpRequestException or OperationCanceledException or ObjectDisposedException
            or InvalidOperationException { Source: "Grpc.Net.Client" };

    private async Task ReadLoopAsync(CancellationToken ct)
    {
        try
        {
            await ReadFramesAsync(ct);
        }
        finally
        {
            _routine.Writer.TryComplete();
        }
    }

    /// <summary>Checks the routine batches in arrival order and queues their commits (see <see cref="_routine"/>).</summary>
    private async Task RoutineLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var batch in _routine.Reader.ReadAllAsync(ct))
            {
                // Idle: no routine batch waits behind this one.
                var idle = _routine.Reader.Count == 0;
                await _pending.Writer.WriteAsync(ReceiptAtOnceIfUrgentAsync(_link.OnEnvelopesAsync(batch, Path, idle), ct), ct);
            }
        }
        finally
        {
            _pending.Writer.TryComplete();
        }
    }

    private async Task ReadFramesAsync(CancellationToken ct)
    {
        while (await _stream.Reader.MoveNext(ct))
        {
            Touch();
            var frame = _stream.Reader.Current;
            switch (frame.KindCase)
            {
                case Frame.KindOneofCase.Envelopes or Frame.KindOneofCase.Receipt when IsProbe:
                    // A probe carries nothing: whatever is sent on it is sent again on the link's session.
                    break;
                case Frame.KindOneofCase.Envelopes when AllUrgent(frame.Envelopes):
                    // Verifies and queues the commit now, ahead of routine batches still waiting to be
                    // checked; the receipt is written once it is committed.
                    _link.UrgentSeen();
                    await _pending.Writer.WriteAsync(ReceiptAtOnceIfUrgentAsync(_link.OnEnvelopesAsync(frame.Envelopes, Path), ct), ct);
                    break;
                case Frame.KindOneofCase.Envelopes:
                    await _routine.Writer.WriteAsync(frame.Envelopes, ct);
                    break;
                case Frame.KindOneofCase.Receipt:
                    await _pending.Writer.WriteAsync(AppliedAsync(_link.OnReceiptAsync(frame.Receipt, Path)), ct);
                    break;
                case Frame.KindOneofCase.Heartbeat when !frame.Heartbeat.Reply:
                    await WriteAsync(new Frame { Heartbeat = new Heartbeat { Nonce = frame.Heartbeat.Nonce, Reply = true, SentUnixMs = frame.Heartbeat.SentUnixMs } }, ct);
                    break;
                case Frame.KindOneofCase.Heartbeat:
                    var now = _link.Time.GetUtcNow();
                    RoundTrip = now - DateTimeOffset.FromUnixTimeMilliseconds(frame.Heartbeat.SentUnixMs);
                    _heard.RoundTrip(now, RoundTrip.Value);
                    if (!IsProbe)
                    {
                        _link.ReportHealth(this, TimeSpan.Zero);
                    }
                    break;
                case Frame.KindOneofCase.Transcript:
                    _link.OnTranscript(this, frame.Transcript);
                    break;
                case Frame.KindOneofCase.Goodbye:
                    CloseReason = $"peer said goodbye: {frame.Goodbye.Reason}";
                    return;
                default:
                    break;
            }
        }
        CloseReason ??= "peer closed the stream";
    }

    /// <summary>
    /// True when every envelope of the batch is urgent (FLASH or IMMEDIATE), as senders send them: in
    /// batches of their own. Only a hint for which to check first, read before the signatures are
    /// checked: an envelope that does not parse counts as routine and is refused in its turn.
    /// </summary>
    internal static bool AllUrgent(EnvelopeBatch batch)
    {
        foreach (var signed in batch.Envelopes)
        {
            try
            {
                if (!((Precedence)EnvelopeBody.Parser.ParseFrom(signed.Body).Precedence).IsUrgent())
                {
                    return false;
                }
            }
            catch (InvalidProtocolBufferException)
            {
                return false;
            }
        }
        return batch.Envelopes.Count > 0;
    }

    /// <summary>
    /// Finishes the pending commits in arrival order: once a batch is committed, writes its receipt.
    /// Batches whose commits have finished by then (one group commit often holds several) share
    /// that receipt: one signature to make and check, one frame, one row in the peer's store.
    /// </summary>
    private async Task CompleteLoopAsync(CancellationToken ct)
    {
        var reader = _pending.Reader;
        var parts = new List<ReceiptContent>();
        await foreach (var pending in reader.ReadAllAsync(ct))
        {
            var content = await pending;
            if (ReferenceEquals(content, BadReceipt))
            {
                return;
            }
            if (content is not null)
            {
                parts.Add(content);
            }
            while (reader.TryPeek(out var next) && next.IsCompletedSuccessfully && !ReferenceEquals(next.Result, BadReceipt))
            {
                reader.TryRead(out _);
                if (next.Result is { } more)
                {
                    parts.Add(more);
                }
            }
            if (parts.Count > 0)
            {
                await WriteAsync(new Frame { Receipt = _link.SealReceipt(ReceiptContent.Merge(parts)) }, ct);
                parts.Clear();
            }
        }
        // The read loop ended first and closes the session; wait for that rather than end it here.
        await Task.Delay(Timeout.Infinite, ct);
    }

    /// <summary>
    /// An urgent batch (FLASH and IMMEDIATE only) is receipted as soon as it is committed, not after
    /// the routine batches that arrived before it: its sender learns of the delivery at once.
    /// Receipts name sequence numbers, so their order does not matter to the sender.
    /// </summary>
    private async Task<ReceiptContent?> ReceiptAtOnceIfUrgentAsync(Task<ReceiptContent> commit, CancellationToken ct)
    {
        var content = await commit;
        if (!content.Urgent)
        {
            return content;
        }
        await WriteAsync(new Frame { Receipt = _link.SealReceipt(content) }, ct);
        return null;
    }

    private async Task<ReceiptContent?> AppliedAsync(Task<bool> apply)
    {
        if (await apply)
        {
            return null;
        }
        CloseReason = "bad receipt";
        return BadReceipt;
    }

    /// <summary>Marks a receipt that did not verify: the session ends.</summary>
    private static readonly ReceiptContent BadReceipt = new([], []);

    private async Task SendLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var envelopes = await _link.Queue.TakeAsync(Epoch, MaxBatchCount, MaxBatchBytes, ct);
            var batch = new EnvelopeBatch();
            foreach (var e in envelopes)
            {
                batch.Envelopes.Add(new SignedEnvelope
                {
                    Body = UnsafeByteOperations.UnsafeWrap(e.Body),
                    Signature = UnsafeByteOperations.UnsafeWrap(e.Signature),
                });
            }
            await WriteAsync(new Frame { Envelopes = batch }, ct);
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken ct)
    {
        // Liveness is checked ten times an interval, so a failed path is noticed within a tenth of
        // an interval of the failure time, and the link's state follows the heartbeats closely.
        var interval = _link.HeartbeatInterval;
        var options = _link.Supervision;
        using var timer = new PeriodicTimer(options.CheckEvery, _link.Time);
        var pendingHeartbeat = Task.CompletedTask;
        var nextBeat = _link.Time.GetUtcNow() + interval;
        while (await timer.WaitForNextTickAsync(ct))
        {
            var now = _link.Time.GetUtcNow();
            var silent = _heard.SilenceAt(now);
            if (silent > options.FailAfter)
            {
                CloseReason = $"no frame from peer for {silent.TotalSeconds:0.0} s";
                return;
            }
            if (!IsProbe)
            {
                _link.ReportHealth(this, silent);
            }
            if (now < nextBeat)
            {
                continue;
            }
            nextBeat = now + interval;
            // Never wait for the write here: when the peer stops reading, the send loop holds the
            // stream and this loop must still notice the silence and end the session.
            if (pendingHeartbeat.IsCompleted)
            {
                await pendingHeartbeat;
                pendingHeartbeat = WriteAsync(new Frame
                {
                    Heartbeat = new Heartbeat { Nonce = (ulong)Interlocked.Increment(ref _heartbeatNonce), SentUnixMs = _link.Time.GetUtcNow().ToUnixTimeMilliseconds() },
                }, ct);
            }
        }
    }

    /// <summary>How long since the last frame from the peer.</summary>
    internal TimeSpan Silence => _heard.SilenceAt(_link.Time.GetUtcNow());

    /// <summary>How long the path has been steady: no late frame, no slow heartbeat (see <see cref="PathSteadiness"/>).</summary>
    internal TimeSpan Steady => _link.Time.GetUtcNow() - _heard.SteadySince;

    private void Touch() => _heard.Heard(_link.Time.GetUtcNow());

    /// <summary>Writes a frame on this session (the transcript exchange uses it).</summary>
    internal Task SendAsync(Frame frame, CancellationToken ct) => WriteAsync(frame, ct);

    private async Task WriteAsync(Frame frame, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            await _stream.WriteAsync(frame, ct);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task TryWriteAsync(Frame frame)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await WriteAsync(frame, cts.Token);
        }
        catch (Exception e) when (IsTransportError(e) || e is InvalidOperationException)
        {
            // Best effort: the peer may have ended the call already ("the request is complete").
        }
    }
}
