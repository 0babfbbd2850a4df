using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Hotline.Core.Identity;
using Hotline.Node.Hosting;
using Hotline.Node.Messaging;
using Hotline.Node.Supervision;
using Hotline.Protocol;
using Hotline.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hotline.Node.Link;

/// <summary>Owns one <see cref="PeerLink"/> per paired peer and keeps each one dialled.</summary>
public sealed class LinkManager : BackgroundService
{
    public const int MaxFrameBytes = 16 << 20;
    // Short: a peer that restarts should find us dialling again within a second.
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, PeerLink> _links = new();
    // Peers whose dial loop runs: one loop per peer, however a peer's arrival and the start race.
    private readonly ConcurrentDictionary<string, byte> _dialling = new();
    private volatile bool _listening;
    private readonly PeerDirectory _directory;
    private readonly LinkContext _ctx;
    private readonly X509Certificate2 _certificate;
    private readonly ILogger<LinkManager> _logger;
    private readonly IHostApplicationLifetime _lifetime;
    private CancellationTokenSource? _stoppingSource;
    private CancellationToken _stopping;

    public LinkManager(NodeIdentity identity, NodeConfig config, X509Certificate2 certificate, IHotlineStore store,
        PeerDirectory directory, EventHub events, SecurityLog security, LinkPolicy policy, IHostApplicationLifetime lifetime,
        ILogger<LinkManager> logger, LinkStateRecorder recorder, Transcript.TranscriptExchange? transcript = null)
    {
        _lifetime = lifetime;
        _directory = directory;
        _certificate = certificate;
        _logger = logger;
        // Sessions run on the system clock whatever clock deadlines use: heartbeats measure the real line.
        _ctx = new LinkContext(identity, config.Name, store, events, security, policy, TimeProvider.System,
            TimeSpan.FromSeconds(config.Link.HeartbeatSeconds), Window: OutboundQueue.DefaultWindow, logger, LinkSupervisionOptions.From(config.Link), recorder) { Transcript = transcript };
    }

    public IReadOnlyCollection<PeerLink> Links => (IReadOnlyCollection<PeerLink>)_links.Values;

    public PeerLink? Find(string peerId) => _links.GetValueOrDefault(peerId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // End sessions as soon as the node starts stopping: the web server waits for open streams
        // (a session is one) before the hosted services are told to stop.
        _stoppingSource = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _lifetime.ApplicationStopping);
        _stopping = _stoppingSource.Token;
        // Dial once this node listens. Two nodes started together then do not both dial before
        // either listens and wait out a backoff: the second to listen finds the first listening.
        _directory.PeerAdded += OnPeerAdded;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(_stopping);
        }
        _listening = true;
        foreach (var peer in _directory.All)
        {
            Start(peer);
        }
    }

    /// <summary>Loads the outbox of every known peer. Called before the API accepts requests.</summary>
    public void LoadOutboxes()
    {
        _directory.Reload();
        _ctx.Recorder.NodeStarting(_directory.All);
        foreach (var peer in _directory.All)
        {
            var link = _links.GetOrAdd(peer.Id, _ => new PeerLink(_ctx, peer));
            foreach (var e in _ctx.Store.LoadOutbox(peer.Id))
            {
                link.Queue.Add(e.Seq, e.Precedence, e.Size);
            }
        }
    }

    private void OnPeerAdded(PeerRecord peer)
    {
        if (_links.TryGetValue(peer.Id, out var existing))
        {
            existing.Peer = peer;
        }
        // Before the node listens, the start dials every peer the directory then holds.
        if (_listening)
        {
            Start(peer);
        }
    }

    private void Start(PeerRecord peer)
    {
        if (!_dialling.TryAdd(peer.Id, 0))
        {
            return;
        }
        var link = _links.GetOrAdd(peer.Id, _ => new PeerLink(_ctx, peer));
        _ = Task.Run(() => DialLoopAsync(link, _stopping), CancellationToken.None);
        _ = Task.Run(() => new FailbackSupervisor(this, link, _ctx.Supervision).RunAsync(_stopping), CancellationToken.None);
    }

    /// <summary>Runs a session that the peer dialled, until it ends.</summary>
    public async Task AcceptAsync(PeerRecord peer, IFrameStream stream, string remote, CancellationToken ct)
    {
        var link = _links.GetOrAdd(peer.Id, _ => new PeerLink(_ctx, peer));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping);
        var session = new PeerSession(link, stream, dialledByUs: false, endpoint: $"inbound from {remote}", linked.Token);
        var reason = await session.RunAsync();
        Log.SessionRefused(_logger, peer.Name, reason);
    }

    private async Task DialLoopAsync(PeerLink link, CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        var firstRound = true;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await link.Vacant.WaitAsync(ct);
                if (!link.WeArePreferredDialler && !firstRound && !link.LastDialledByUs)
                {
                    // Give the preferred dialler the first chance to restore the session.
                    await Task.Delay(TimeSpan.FromMilliseconds(500) + Jitter(), _ctx.Time, ct);
                    if (link.IsConnected)
                    {
                        continue;
                    }
                }
                firstRound = false;
                var connected = false;
                // Start after the endpoint whose session just failed: that is the failover.
                var endpoints = link.Peer.Endpoints;
                var start = link.ResumeIndex;
                for (var i = 0; i < endpoints.Count; i++)
                {
                    if (link.IsConnected)
                    {
                        break;
                    }
                    connected |= await DialAsync(link, (start + i) % endpoints.Count, probe: false, started: null, ct);
                }
                if (connected)
                {
                    backoff = TimeSpan.FromMilliseconds(100);
                    continue;
                }
                await Task.Delay(backoff + Jitter(), _ctx.Time, ct);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                link.Failed(e);
                await Task.Delay(MaxBackoff, _ctx.Time, CancellationToken.None);
            }
        }
    }

    /// <summary>Dials one endpoint and, if a session comes up, runs it. True when a session was established.</summary>
    /// <param name="index">The endpoint's place in the peer's list.</param>
    /// <param name="probe">Only test the path (see <see cref="FailbackSupervisor"/>).</param>
    /// <param name="started">Told the session before it runs, so a supervisor can watch and close it.</param>
    internal async Task<bool> DialAsync(PeerLink link, int index, bool probe, Action<PeerSession>? started, CancellationToken ct)
    {
        var endpoints = link.Peer.Endpoints;
        if (index >= endpoints.Count)
        {
            return false;
        }
        var endpoint = endpoints[index];
        using var channel = GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions
        {
            HttpHandler = ClientHandler(link.Peer.TlsSha256),
            MaxReceiveMessageSize = MaxFrameBytes,
            MaxSendMessageSize = MaxFrameBytes,
        });
        var client = new Protocol.Link.LinkClient(channel);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            using var call = client.Session(cancellationToken: cts.Token);
            var session = new PeerSession(link, new ClientFrameStream(call), dialledByUs: true, endpoint, new Storage.LinkPath(index, endpoint), probe, cts.Token);
            started?.Invoke(session);
            var reason = await session.RunAsync();
            link.DialFailed(endpoint, probe ? $"probe: {reason}" : reason);
            return session.WasAttached;
        }
        catch (Exception e) when (PeerSession.IsTransportError(e))
        {
            link.DialFailed(endpoint, e.Message);
            return false;
        }
        finally
        {
            await cts.CancelAsync();
        }
    }

    private SocketsHttpHandler ClientHandler(string pin) => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        // A pinned peer is dialled directly, never through a proxy named in the environment (and
        // looking the system's proxy up cost a cold start about 10 ms).
        UseProxy = false,
        EnableMultipleHttp2Connections = false,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        SslOptions = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls13,
            ClientCertificates = [_certificate],
            TargetHost = "hotline-peer",
            // No CA, no names: the server's certificate must be the one pinned from its card.
            RemoteCertificateValidationCallback = (_, cert, _, _) => Pins.Matches(cert, pin),
        },
    };

    private static TimeSpan Jitter() => TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _directory.PeerAdded -= OnPeerAdded;
        await base.StopAsync(cancellationToken);
        _stoppingSource?.Dispose();
    }
}
