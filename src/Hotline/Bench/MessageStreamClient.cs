using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Hotline.Cli.Bench;

/// <summary>
/// One WebSocket of a node's <c>GET /api/messages/stream</c>: messages written back to back, one a
/// frame, without waiting for answers; each answer (in the order sent) is handed to a callback.
/// One writer at a time.
/// </summary>
internal sealed class MessageStreamClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly string _node;
    private readonly Action<Sent> _answered;
    // When each frame not yet answered was written, in the order written.
    private readonly ConcurrentQueue<SendStart> _started = new();
    private Task _reading = Task.CompletedTask;

    private MessageStreamClient(ClientWebSocket socket, string node, Action<Sent> answered)
    {
        _socket = socket;
        _node = node;
        _answered = answered;
    }

    public static async Task<MessageStreamClient> ConnectAsync(Uri apiUrl, string token, string node, Action<Sent> answered, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        var uri = new UriBuilder(apiUrl) { Scheme = apiUrl.Scheme == "https" ? "wss" : "ws", Path = "/api/messages/stream" }.Uri;
        await socket.ConnectAsync(uri, ct);
        var client = new MessageStreamClient(socket, node, answered);
        client._reading = Task.Run(() => client.ReadAnswersAsync(ct), ct);
        return client;
    }

    public ValueTask SendAsync(string json, CancellationToken ct)
    {
        _started.Enqueue(SendStart.Now());
        return _socket.SendAsync(Encoding.UTF8.GetBytes(json).AsMemory(), WebSocketMessageType.Text, endOfMessage: true, ct);
    }

    /// <summary>Says it has sent all, and returns once every message is answered and the node closed the socket.</summary>
    public async Task CloseAsync(CancellationToken ct)
    {
        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        await _reading;
    }

    private async Task ReadAnswersAsync(CancellationToken ct)
    {
        var frame = new ArrayBufferWriter<byte>(1024);
        while (true)
        {
            frame.ResetWrittenCount();
            ValueWebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(frame.GetMemory(1024), ct);
                frame.Advance(received.Count);
            }
            while (!received.EndOfMessage);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                if (!_started.IsEmpty)
                {
                    throw new BenchFailure($"node {_node} closed a message stream ({_socket.CloseStatus}: {_socket.CloseStatusDescription}) with {_started.Count} sends unanswered");
                }
                return;
            }
            var answeredAt = Stopwatch.GetTimestamp();
            if (!_started.TryDequeue(out var started))
            {
                throw new BenchFailure($"node {_node} answered more messages than were streamed to it");
            }
            _answered(Read(frame.WrittenSpan, started, answeredAt));
        }
    }

    private Sent Read(ReadOnlySpan<byte> json, SendStart started, long answeredAt)
    {
        using var answer = JsonDocument.Parse(json.ToArray());
        if (!answer.RootElement.TryGetProperty("message", out var m))
        {
            throw new BenchFailure($"node {_node} refused a streamed message: {Encoding.UTF8.GetString(json)}");
        }
        return new Sent(m.GetProperty("id").GetGuid(), m.GetProperty("seq").GetInt64(), started, answeredAt);
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        try
        {
            await _reading;
        }
        catch
        {
            // Aborted above, or failed already: CloseAsync reports how.
        }
        _socket.Dispose();
    }
}
