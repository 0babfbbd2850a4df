using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Hotline.Testing;

/// <summary>
/// A TCP relay on a loopback port that the test can break: <see cref="Cut"/> resets every connection
/// and refuses new ones, <see cref="Blackhole"/> keeps connections open but silently drops every
/// byte both ways (a partition the endpoints can only notice by silence), <see cref="Restore"/>
/// forwards again.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<long, Relay> _relays = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private long _nextId;
    private long _accepted;
    private long _forwarded;
    private long _dropped;
    private volatile ProxyMode _mode = ProxyMode.Forward;

    public FaultProxy(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync(_stop.Token);
    }

    public FaultProxy(Uri target)
        : this(new IPEndPoint(IPAddress.Parse(target.Host), target.Port))
    {
    }

    public int Port { get; }

    /// <summary>The address to advertise instead of the target's, for example in a pairing card.</summary>
    public string Url => $"https://127.0.0.1:{Port}";

    public ProxyMode Mode => _mode;

    /// <summary>Connections accepted so far (including refused ones).</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    public long BytesForwarded => Interlocked.Read(ref _forwarded);

    public long BytesDropped => Interlocked.Read(ref _dropped);

    public int OpenConnections => _relays.Count;

    /// <summary>Resets every connection (TCP RST) and resets new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _mode = ProxyMode.Cut;
        foreach (var relay in _relays.Values)
        {
            relay.Reset();
        }
    }

    /// <summary>Drops every byte both ways on every connection, old and new, until <see cref="Restore"/>.</summary>
    public void Blackhole() => _mode = ProxyMode.Blackhole;

    /// <summary>
    /// Forwards again. Connections that lost bytes to a blackhole carry a broken TLS stream, so they
    /// are reset; the endpoints reconnect.
    /// </summary>
    public void Restore()
    {
        _mode = ProxyMode.Forward;
        foreach (var relay in _relays.Values.Where(r => r.Poisoned))
        {
            relay.Reset();
        }
    }

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            client.NoDelay = true;
            if (_mode == ProxyMode.Cut)
            {
                ResetSocket(client);
                continue;
            }
            var relay = new Relay(this, Interlocked.Increment(ref _nextId), client);
            _relays[relay.Id] = relay;
            _ = relay.RunAsync(_target, ct);
        }
    }

    private static void ResetSocket(Socket socket)
    {
        try
        {
            // Linger 0 turns the close into a TCP reset.
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var relay in _relays.Values)
        {
            relay.Reset();
        }
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private sealed class Relay(FaultProxy proxy, long id, Socket client)
    {
        private readonly Socket _upstream = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        private int _closed;

        public long Id { get; } = id;

        /// <summary>True once a byte was dropped: the stream through this relay can no longer be trusted.</summary>
        public bool Poisoned { get; private set; }

        public async Task RunAsync(IPEndPoint target, CancellationToken ct)
        {
            try
            {
                // A connection opened during a blackhole never reaches the target (like a SYN lost
                // in a partition, except that the client sees the connection open).
                if (proxy._mode != ProxyMode.Forward)
                {
                    Poisoned = true;
                    await PumpAsync(client, null, ct);
                    return;
                }
                await _upstream.ConnectAsync(target, ct);
                await Task.WhenAny(PumpAsync(client, _upstream, ct), PumpAsync(_upstream, client, ct));
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
            finally
            {
                Reset();
            }
        }

        private async Task PumpAsync(Socket from, Socket? to, CancellationToken ct)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var n = await from.ReceiveAsync(buffer, SocketFlags.None, ct);
                    if (n == 0)
                    {
                        return;
                    }
                    if (to is null || proxy._mode != ProxyMode.Forward || Poisoned)
                    {
                        Poisoned = true;
                        Interlocked.Add(ref proxy._dropped, n);
                        continue;
                    }
                    await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct);
                    Interlocked.Add(ref proxy._forwarded, n);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        public void Reset()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }
            proxy._relays.TryRemove(Id, out _);
            ResetSocket(client);
            ResetSocket(_upstream);
        }
    }
}

