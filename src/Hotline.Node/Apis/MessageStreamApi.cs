using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Hotline.Node.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hotline.Node.Apis;

/// <summary>
/// <c>GET /api/messages/stream</c>, a WebSocket for a gateway that sends many messages: each text
/// frame is one message as <c>POST /api/messages</c> takes it, each answer frame the outcome of one,
/// in the order sent, once it is committed (<c>{"n":1,"message":{...}}</c>) or refused
/// (<c>{"n":2,"problem":{...}}</c>). Messages sent while others commit join the next transaction,
/// and no message waits for the answer to the one before it.
/// </summary>
public static class MessageStreamApi
{
    /// <summary>The largest frame taken: a 64 KiB text with room for JSON's escapes.</summary>
    public const int MaxFrameBytes = 512 * 1024;

    /// <summary>Messages sent but not yet answered; beyond it the node stops reading the socket until one is.</summary>
    public const int Window = 256;

    public static RouteGroupBuilder MapMessageStreamApi(this RouteGroupBuilder api)
    {
        api.MapGet("/messages/stream", RunAsync);
        return api;
    }

    private static async Task RunAsync(HttpContext http, MessageService messages, MessageStreamStats stats, IHostApplicationLifetime lifetime, ILoggerFactory logs)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await Problems.Of(400, "GET /api/messages/stream takes a WebSocket",
                "Open it as a WebSocket (ws://), with the API token in the Authorization header; or send with POST /api/messages.").ExecuteAsync(http);
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var stream = new MessageStream(socket, messages, stats, logs.CreateLogger(typeof(MessageStreamApi).FullName!));
        stats.Opened();
        try
        {
            await stream.RunAsync(http.RequestAborted, lifetime.ApplicationStopping);
        }
        finally
        {
            stats.Closed();
        }
    }
}

/// <summary>One WebSocket of <see cref="MessageStreamApi"/>: a loop reading sends, a loop writing their answers in order.</summary>
internal sealed partial class MessageStream(WebSocket socket, MessageService messages, MessageStreamStats stats, ILogger log)
{
    private readonly Channel<Task<Outcome>> _answers = Channel.CreateBounded<Task<Outcome>>(
        new BoundedChannelOptions(MessageStreamApi.Window) { SingleReader = true, SingleWriter = true });

    /// <param name="aborted">The client went away: stop at once.</param>
    /// <param name="stopping">The node is stopping: queue no more sends, answer those queued, close.</param>
    public async Task RunAsync(CancellationToken aborted, CancellationToken stopping)
    {
        // A cancelled receive would abort the socket, and with it the answers and the close: the
        // reader is cancelled only when the client goes; a stop ends the answers instead.
        using var stop = stopping.UnsafeRegister(static s => ((MessageStream)s!)._answers.Writer.TryComplete(), this);
        var reading = ReadThenEndAnswersAsync(aborted, stopping);
        var (status, reason) = (WebSocketCloseStatus.EndpointUnavailable, "the node is stopping");
        if (await WriteAnswersAsync(aborted) && (!stopping.IsCancellationRequested || reading.IsCompleted))
        {
            (status, reason) = await reading;
        }
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await socket.CloseOutputAsync(status, reason, aborted);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
                // Gone meanwhile.
            }
        }
        // Stopping, the reader may still wait for a frame: the connection ends with this request.
        _ = reading.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
    }

    /// <summary>Reads until the client closes or goes, or the node stops; then no more answers are added.</summary>
    private async Task<(WebSocketCloseStatus, string?)> ReadThenEndAnswersAsync(CancellationToken aborted, CancellationToken stopping)
    {
        try
        {
            return await ReadSendsAsync(aborted, stopping);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ChannelClosedException)
        {
            // The client went away, or the node is stopping.
            return (WebSocketCloseStatus.EndpointUnavailable, "the node is stopping");
        }
        finally
        {
            _answers.Writer.TryComplete();
        }
    }

    /// <summary>Reads frames until the client closes; each send starts committing before the next is read.</summary>
    private async Task<(WebSocketCloseStatus, string?)> ReadSendsAsync(CancellationToken ct, CancellationToken stopping)
    {
        var frame = new ArrayBufferWriter<byte>(4096);
        for (var n = 1L; ; n++)
        {
            frame.ResetWrittenCount();
            ValueWebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(frame.GetMemory(4096), ct);
                frame.Advance(received.Count);
                if (frame.WrittenCount > MessageStreamApi.MaxFrameBytes)
                {
                    return (WebSocketCloseStatus.MessageTooBig, $"frame {n} is over {MessageStreamApi.MaxFrameBytes} bytes; send one message a frame, its text at most 64 KiB");
                }
            }
            while (!received.EndOfMessage);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketCloseStatus.NormalClosure, null);
            }
            if (stopping.IsCancellationRequested)
            {
                // Read after the stop began: not queued, so not committed (the close says why).
                return (WebSocketCloseStatus.EndpointUnavailable, "the node is stopping");
            }
            var answer = received.MessageType == WebSocketMessageType.Text
                ? Send(n, frame.WrittenSpan)
                : Task.FromResult(Outcome.Problem(n, 400, "a binary frame", "Send each message as a text frame of JSON."));
            if (!_answers.Writer.TryWrite(answer))
            {
                // The window is full: read no more until the oldest send is answered.
                var full = System.Diagnostics.Stopwatch.GetTimestamp();
                await _answers.Writer.WriteAsync(answer, ct);
                stats.WasFull(full);
            }
        }
    }

    private const string OneMessageAFrame = "Send one JSON object a frame, as POST /api/messages takes it.";

    private Task<Outcome> Send(long n, ReadOnlySpan<byte> json)
    {
        SendRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(json, ApiJson.Default.SendRequest);
        }
        catch (JsonException e)
        {
            return Task.FromResult(Outcome.Problem(n, 400, $"the frame is not a message as JSON ({e.Message})", OneMessageAFrame));
        }
        return request is null
            ? Task.FromResult(Outcome.Problem(n, 400, "the message is null", OneMessageAFrame))
            // Checked and queued for the writer here, in the frames' order; not committed on this thread.
            // Not cancelled when the client goes or the node stops: once queued, it commits.
            : OutcomeAsync(n, messages.SendAsync(request, CancellationToken.None, inline: false));
    }

    private async Task<Outcome> OutcomeAsync(long n, Task<ApiResult<MessageView>> sending)
    {
        try
        {
            var result = await sending;
            return result.Value is { } message ? new Outcome(n, message, 0, null, null) : Outcome.Problem(n, result.Status, result.Error!, result.Fix);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.CommitFailed(log, n, e);
            return Outcome.Problem(n, 500, "the node could not commit the message; it was not sent", "See the node's log; send it again once the node is healthy.");
        }
    }

    /// <summary>
    /// Writes each answer once its send is committed, in the order sent, until the answers end (the
    /// reader stopped, or the node is stopping). False if the socket failed. One buffer serves every
    /// answer: each is written into it and sent before the next.
    /// </summary>
    private async Task<bool> WriteAnswersAsync(CancellationToken aborted)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using var writer = new Utf8JsonWriter(buffer);
        try
        {
            await foreach (var answer in _answers.Reader.ReadAllAsync(aborted))
            {
                buffer.ResetWrittenCount();
                writer.Reset(buffer);
                (await answer).Write(writer);
                writer.Flush();
                await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, aborted);
            }
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            return false;
        }
    }

    /// <summary>What became of frame <see cref="N"/>: the committed message, or a problem (status, title, fix).</summary>
    private readonly record struct Outcome(long N, MessageView? Message, int Status, string? Title, string? Fix)
    {
        public static Outcome Problem(long n, int status, string title, string? fix) => new(n, null, status, title, fix);

        /// <summary><c>{"n":1,"message":{...}}</c> or <c>{"n":2,"problem":{"title","status","fix"}}</c>.</summary>
        public void Write(Utf8JsonWriter w)
        {
            w.WriteStartObject();
            w.WriteNumber("n", N);
            if (Message is not null)
            {
                w.WritePropertyName("message");
                JsonSerializer.Serialize(w, Message, ApiJson.Default.MessageView);
            }
            else
            {
                w.WriteStartObject("problem");
                w.WriteString("title", Title);
                w.WriteNumber("status", Status);
                if (Fix is not null)
                {
                    w.WriteString("fix", Fix);
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "A streamed send (frame {N}) failed to commit")]
        public static partial void CommitFailed(ILogger logger, long n, Exception e);
    }
}
