using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Hotline.Core.Envelopes;
using Hotline.Node.Messaging;
using Hotline.Protocol;

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
    // Commits of received batches and applications of receipts, started in arrival order and
    // finished in that order by CompleteLoopAsync. The read loop goes on to the next frame while
    // the store commits, so batches that arrive meanwhile share one group commit (one fsync)
    // instead of each waiting for its own. The peer's window bounds how many are pending.
    private readonly Channel<Task<Frame?>> _pending = Channel.CreateBounded<Task<Frame?>>(
        new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private long _lastReceivedTicks;
    private long _heartbeatNonce;

    public PeerSession(PeerLink link, IFrameStream stream, bool dialledByUs, string endpoint, CancellationToken ct)
    {
        _link = link;
        _stream = stream;
        DialledByUs = dialledByUs;
        Endpoint = endpoint;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    public bool DialledByUs { get; }
    public string Endpoint { get; }
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
            await WriteAsync(new Frame { Hello = _link.Hello() }, ct);
            if (!await _stream.Reader.MoveNext(ct) || _stream.Reader.Current.Hello is not { } hello)
            {
                return End("peer sent no hello");
            }
            if (hello.ProtocolVersion != ProtocolVersion || !_link.Peer.Key.Is(hello.NodeKey.Span))
            {
                _link.Security.Record(SecurityLog.BadHello, $"peer {_link.Peer.Name} ({_link.Peer.Id}) presented identity key or version that does not match its card");
                return End("hello does not match the pinned peer");
            }
            Touch();
            if (!_link.Attach(this))
            {
                await TryWriteAsync(new Frame { Goodbye = new Goodbye { Reason = "duplicate session" } });
                return End("duplicate session");
            }
            WasAttached = true;
            try
            {
                var tasks = new[] { ReadLoopAsync(ct), CompleteLoopAsync(ct), SendLoopAsync(ct), HeartbeatLoopAsync(ct) };
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
            return End(e.Message);
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
                case Frame.KindOneofCase.Envelopes:
                    // Verifies and queues the commit now; the receipt is written once it is committed.
                    await _pending.Writer.WriteAsync(ReceiptFrameAsync(_link.OnEnvelopesAsync(frame.Envelopes, ct)), ct);
                    break;
                case Frame.KindOneofCase.Receipt:
                    await _pending.Writer.WriteAsync(AppliedAsync(_link.OnReceiptAsync(frame.Receipt, ct)), ct);
                    break;
                case Frame.KindOneofCase.Heartbeat when !frame.Heartbeat.Reply:
                    await WriteAsync(new Frame { Heartbeat = new Heartbeat { Nonce = frame.Heartbeat.Nonce, Reply = true, SentUnixMs = frame.Heartbeat.SentUnixMs } }, ct);
                    break;
                case Frame.KindOneofCase.Heartbeat:
                    RoundTrip = _link.Time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(frame.Heartbeat.SentUnixMs);
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

    /// <summary>Finishes the pending commits in arrival order: writes each batch's receipt once its commit is done.</summary>
    private async Task CompleteLoopAsync(CancellationToken ct)
    {
        await foreach (var pending in _pending.Reader.ReadAllAsync(ct))
        {
            var frame = await pending;
            if (ReferenceEquals(frame, BadReceipt))
            {
                return;
            }
            if (frame is not null)
            {
                await WriteAsync(frame, ct);
            }
        }
        // The read loop ended first and closes the session; wait for that rather than end it here.
        await Task.Delay(Timeout.Infinite, ct);
    }

    private static async Task<Frame?> ReceiptFrameAsync(Task<SignedReceipt> commit) => new Frame { Receipt = await commit };

    private async Task<Frame?> AppliedAsync(Task<bool> apply)
    {
        if (await apply)
        {
            return null;
        }
        CloseReason = "bad receipt";
        return BadReceipt;
    }

    /// <summary>Marks a receipt that did not verify: the session ends.</summary>
    private static readonly Frame BadReceipt = new();

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
        var interval = _link.HeartbeatInterval;
        using var timer = new PeriodicTimer(interval, _link.Time);
        // The silence check must not wait behind a write: when the peer stops reading, every write
        // (heartbeats included) blocks on flow control, and the session would never be declared dead.
        var heartbeat = Task.CompletedTask;
        while (await timer.WaitForNextTickAsync(ct))
        {
            var silent = _link.Time.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastReceivedTicks);
            if (silent > (interval * 3).Ticks)
            {
                CloseReason = $"no frame from peer for {TimeSpan.FromTicks(silent).TotalSeconds:0.0} s";
                _ = heartbeat.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                return;
            }
            if (heartbeat.IsCompleted)
            {
                await heartbeat;
                heartbeat = WriteAsync(new Frame
                {
                    Heartbeat = new Heartbeat { Nonce = (ulong)Interlocked.Increment(ref _heartbeatNonce), SentUnixMs = _link.Time.GetUtcNow().ToUnixTimeMilliseconds() },
                }, ct);
            }
        }
    }

    private void Touch() => Interlocked.Exchange(ref _lastReceivedTicks, _link.Time.GetUtcNow().UtcTicks);

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
        catch (Exception e) when (IsTransportError(e))
        {
        }
    }
}
