using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Core.Identity;
using Hotline.Node.Hosting;
using Hotline.Node.Link;
using Hotline.Protocol;

namespace Hotline.Testing;

/// <summary>One hand-driven session of a <see cref="FakePeer"/>: one gRPC stream to the real node.</summary>
public sealed class FakeSession : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Channel<Frame> _inbox = Channel.CreateUnbounded<Frame>();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private AsyncDuplexStreamingCall<Frame, Frame>? _call;
    private Task? _reader;

    internal FakeSession(Uri linkUrl, X509Certificate2 certificate, string serverPin)
    {
        _channel = GrpcChannel.ForAddress(linkUrl, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    EnabledSslProtocols = SslProtocols.Tls13,
                    ClientCertificates = [certificate],
                    TargetHost = "hotline-peer",
                    RemoteCertificateValidationCallback = (_, cert, _, _) => Pins.Matches(cert, serverPin),
                },
            },
            MaxReceiveMessageSize = LinkManager.MaxFrameBytes,
        });
    }

    /// <summary>The node's Hello.</summary>
    public Hello PeerHello { get; private set; } = null!;

    internal async Task StartAsync(NodeKey key, string name, string catalogVersion, CancellationToken ct)
    {
        _call = new Protocol.Link.LinkClient(_channel).Session(cancellationToken: CancellationToken.None);
        await SendAsync(new Frame
        {
            Hello = new Hello { ProtocolVersion = PeerSession.ProtocolVersion, NodeKey = ByteString.CopyFrom(key.Bytes), NodeName = name, CatalogVersion = catalogVersion },
        }, ct);
        _reader = ReadLoopAsync(_call.ResponseStream);
        var first = await NextAsync(_ => true, TimeSpan.FromSeconds(30), ct);
        PeerHello = first.Hello ?? throw new InvalidOperationException($"the node's first frame was {first.KindCase}, not a Hello");
    }

    public async Task SendAsync(Frame frame, CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            await _call!.RequestStream.WriteAsync(frame, ct);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task SendEnvelopesAsync(params SignedEnvelope[] envelopes)
    {
        var batch = new EnvelopeBatch();
        batch.Envelopes.AddRange(envelopes);
        return SendAsync(new Frame { Envelopes = batch });
    }

    /// <summary>The next receipt the node sends (heartbeats are answered and skipped).</summary>
    public async Task<SignedReceipt> NextReceiptAsync(TimeSpan? timeout = null, CancellationToken ct = default) =>
        (await NextAsync(f => f.KindCase == Frame.KindOneofCase.Receipt, timeout ?? TimeSpan.FromSeconds(30), ct)).Receipt;

    /// <summary>The next batch of envelopes the node sends.</summary>
    public async Task<EnvelopeBatch> NextEnvelopesAsync(TimeSpan? timeout = null, CancellationToken ct = default) =>
        (await NextAsync(f => f.KindCase == Frame.KindOneofCase.Envelopes, timeout ?? TimeSpan.FromSeconds(30), ct)).Envelopes;

    private async Task<Frame> NextAsync(Func<Frame, bool> match, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var frame = await _inbox.Reader.ReadAsync(cts.Token);
                if (match(frame))
                {
                    return frame;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no matching frame from the node within {timeout.TotalSeconds:0} s");
        }
        catch (ChannelClosedException e)
        {
            throw new InvalidOperationException("the node closed the session", e.InnerException ?? e);
        }
    }

    /// <summary>Completes when the node has ended this session.</summary>
    public Task Closed => _inbox.Reader.Completion.ContinueWith(_ => { }, TaskScheduler.Default);

    private async Task ReadLoopAsync(IAsyncStreamReader<Frame> reader)
    {
        try
        {
            while (await reader.MoveNext(CancellationToken.None))
            {
                var frame = reader.Current;
                if (frame.Heartbeat is { Reply: false } hb)
                {
                    await SendAsync(new Frame { Heartbeat = new Heartbeat { Nonce = hb.Nonce, Reply = true, SentUnixMs = hb.SentUnixMs } });
                    continue;
                }
                _inbox.Writer.TryWrite(frame);
            }
            _inbox.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _inbox.Writer.TryComplete(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_call is not null)
        {
            try
            {
                await _call.RequestStream.CompleteAsync();
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException or IOException)
            {
            }
            _call.Dispose();
        }
        if (_reader is not null)
        {
            await _reader;
        }
        _channel.Dispose();
        _writeLock.Dispose();
    }
}
