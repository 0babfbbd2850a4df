using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Core.Pairing;
using Hotline.Node.Hosting;
using Hotline.Node.Link;
using Hotline.Protocol;

namespace Hotline.Testing;

/// <summary>
/// A peer that speaks the wire protocol by hand, to drive the failure paths a real node never
/// takes. It owns a real initialised data folder (identity key and link certificate) but runs no
/// node: the test pairs its card with a real node, then dials that node and sends what it likes.
/// </summary>
public sealed class FakePeer : IAsyncDisposable
{
    private readonly X509Certificate2 _certificate;
    private readonly Channel<Frame> _inbox = Channel.CreateUnbounded<Frame>();
    private GrpcChannel? _channel;
    private AsyncDuplexStreamingCall<Frame, Frame>? _call;
    private Task? _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private FakePeer(DataFolder folder, NodeIdentity identity, X509Certificate2 certificate, PairingCard card)
    {
        Folder = folder;
        Identity = identity;
        _certificate = certificate;
        Card = card;
    }

    public DataFolder Folder { get; }
    public NodeIdentity Identity { get; }
    public NodeKey Key => Identity.PublicKey;
    public PairingCard Card { get; }

    /// <summary>The peer's Hello, once connected.</summary>
    public Hello? PeerHello { get; private set; }

    /// <summary>
    /// Initialises a data folder for the fake peer. Its card advertises <paramref name="advertise"/>
    /// (the real node will try to dial it; nothing needs to answer).
    /// </summary>
    public static FakePeer Create(string path, string name, string advertise)
    {
        var folder = new DataFolder(path);
        var config = new NodeConfig { Name = name, Link = new LinkConfig { Listen = "127.0.0.1:0", Advertise = [advertise] } };
        folder.Initialise(config);
        return new FakePeer(folder, folder.LoadIdentity(), folder.LoadCertificate(), folder.CreateCard(config));
    }

    /// <summary>Dials <paramref name="linkUrl"/> with this peer's certificate, pinning the server to <paramref name="serverPin"/>, and exchanges Hellos.</summary>
    public async Task ConnectAsync(Uri linkUrl, string serverPin, CancellationToken ct = default)
    {
        _channel = GrpcChannel.ForAddress(linkUrl, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    EnabledSslProtocols = SslProtocols.Tls13,
                    ClientCertificates = [_certificate],
                    TargetHost = "hotline-peer",
                    RemoteCertificateValidationCallback = (_, cert, _, _) => Pins.Matches(cert, serverPin),
                },
            },
        });
        _call = new Protocol.Link.LinkClient(_channel).Session(cancellationToken: CancellationToken.None);
        await SendAsync(new Frame
        {
            Hello = new Hello { ProtocolVersion = PeerSession.ProtocolVersion, NodeKey = ByteString.CopyFrom(Key.Bytes), NodeName = Card.Name },
        }, ct);
        _reader = ReadLoopAsync(_call.ResponseStream);
        var first = await NextAsync(f => true, TimeSpan.FromSeconds(30), ct);
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

    /// <summary>Signs an envelope for <paramref name="recipient"/> exactly as a node would.</summary>
    public Envelope Seal(NodeKey recipient, long seq, ReadOnlySpan<byte> prevHash, string channel, string text) =>
        EnvelopeCodec.Seal(Identity, recipient, new EnvelopeDraft { Channel = channel, Text = text }, seq, prevHash, DateTimeOffset.UtcNow);

    public static SignedEnvelope Wire(Envelope e) =>
        new() { Body = ByteString.CopyFrom(e.Body), Signature = ByteString.CopyFrom(e.Signature) };

    /// <summary>The next receipt the node sends (heartbeats are answered and skipped).</summary>
    public async Task<SignedReceipt> NextReceiptAsync(TimeSpan? timeout = null, CancellationToken ct = default) =>
        (await NextAsync(f => f.KindCase == Frame.KindOneofCase.Receipt, timeout ?? TimeSpan.FromSeconds(30), ct)).Receipt;

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
        _channel?.Dispose();
        _certificate.Dispose();
        Identity.Dispose();
        _writeLock.Dispose();
    }
}
