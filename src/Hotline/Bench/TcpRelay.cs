using System.Net;
using System.Net.Sockets;

namespace Hotline.Cli.Bench;

/// <summary>
/// A loopback TCP relay that can cut a link: while it is cut it closes every relayed connection
/// and refuses new ones, as a failed network path would. Nodes see only bytes; TLS passes through.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Lock _lock = new();
    private readonly List<(Socket Client, Socket Server)> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _accepting;
    private bool _cut;

    public TcpRelay() => _listener.Start();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int TargetPort { get; set; }

    /// <summary>Bytes relayed in both directions so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    private long _bytes;

    public void Start() => _accepting = AcceptLoopAsync(_stop.Token);

    /// <summary>Closes every relayed connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        List<(Socket, Socket)> open;
        lock (_lock)
        {
            _cut = true;
            open = [.. _open];
            _open.Clear();
        }
        foreach (var (client, server) in open)
        {
            Abort(client);
            Abort(server);
        }
    }

    public void Restore()
    {
        lock (_lock)
        {
            _cut = false;
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
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = RelayAsync(client, ct);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken ct)
    {
        client.NoDelay = true;
        lock (_lock)
        {
            if (_cut)
            {
                Abort(client);
                return;
            }
        }
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, TargetPort), ct);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            Abort(client);
            server.Dispose();
            return;
        }
        lock (_lock)
        {
            if (_cut)
            {
                Abort(client);
                Abort(server);
                return;
            }
            _open.Add((client, server));
        }
        await Task.WhenAny(PumpAsync(client, server, ct), PumpAsync(server, client, ct));
        lock (_lock)
        {
            _open.Remove((client, server));
        }
        Abort(client);
        Abort(server);
    }

    private async Task PumpAsync(Socket from, Socket to, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (n == 0)
                {
                    return;
                }
                Interlocked.Add(ref _bytes, n);
                var sent = 0;
                while (sent < n)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None, ct);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes with a reset, so the node on the other side learns at once that the path is gone.</summary>
    private static void Abort(Socket socket)
    {
        try
        {
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
        Cut();
        if (_accepting is not null)
        {
            await _accepting;
        }
        _stop.Dispose();
    }
}
