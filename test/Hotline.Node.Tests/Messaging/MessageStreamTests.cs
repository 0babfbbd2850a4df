using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Hotline.Node.Apis;
using Hotline.Testing;
using Microsoft.Data.Sqlite;
using Xunit;
using static Hotline.Testing.MetricsText;

namespace Hotline.Node.Tests.Messaging;

/// <summary>GET /api/messages/stream: many sends on one WebSocket, each answered in order once committed.</summary>
public sealed class MessageStreamTests
{
    [Fact]
    public async Task Sends_written_back_to_back_are_answered_in_their_order_and_each_arrives_once()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (a, b) = (cluster.A, cluster.B);
        using var socket = await ConnectAsync(a);
        var good = Enumerable.Range(1, 60).Select(i => $"streamed report {i}").ToList();
        var frames = good.Select(t => JsonSerializer.Serialize(new { peer = b.Id, channel = "navy", text = t })).ToList();
        frames.Insert(10, JsonSerializer.Serialize(new { peer = b.Id, channel = "no-such-channel", text = "refused" }));
        frames.Insert(20, """{"peer": """);

        // All written before any answer is read: no send waits for the one before it.
        foreach (var frame in frames)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, default);
        }
        await socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, endOfMessage: true, default);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
        var answers = await ReadAllAsync(socket);

        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        Assert.Equal(Enumerable.Range(1, frames.Count + 1).Select(n => (long)n), answers.Select(x => x.GetProperty("n").GetInt64()));
        var problems = answers.Where(x => x.TryGetProperty("problem", out _)).ToDictionary(x => x.GetProperty("n").GetInt64(), x => x.GetProperty("problem"));
        Assert.Equal([11L, 21L, frames.Count + 1L], problems.Keys.Order());
        Assert.All(problems.Values, p => Assert.Equal(400, p.GetProperty("status").GetInt32()));
        Assert.Contains("unknown channel 'no-such-channel'", problems[11].GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("the frame is not a message as JSON", problems[21].GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal("a binary frame", problems[frames.Count + 1].GetProperty("title").GetString());
        Assert.All(problems.Values, p => Assert.False(string.IsNullOrEmpty(p.GetProperty("fix").GetString())));

        var committed = answers.Where(x => x.TryGetProperty("message", out _)).Select(x => x.GetProperty("message")).ToList();
        Assert.Equal(good, committed.Select(m => m.GetProperty("text").GetString()));
        var seqs = committed.Select(m => m.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range((int)seqs[0], good.Count).Select(s => (long)s), seqs);
        Assert.Equal(good, a.Outbound(b).Select(m => m.Envelope.Text));

        await cluster.WaitAllDeliveredAsync(TimeSpan.FromSeconds(30));
        var inbound = b.Inbound(a).OrderBy(m => m.Envelope.Seq).ToList();
        Assert.Equal(good, inbound.Select(m => m.Envelope.Text));
        Assert.Equal(committed.Select(m => m.GetProperty("id").GetGuid()), inbound.Select(m => m.Envelope.Id));
    }

    [Fact]
    public async Task A_stream_without_the_token_or_without_a_WebSocket_is_refused_and_an_oversized_frame_closes_it()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (a, b) = (cluster.A, cluster.B);

        using (var anonymous = new ClientWebSocket())
        {
            anonymous.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => anonymous.ConnectAsync(StreamUri(a), default));
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.HttpStatusCode);
        }

        using var plain = await a.Api.Http.GetAsync("/api/messages/stream");
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Equal("application/problem+json", plain.Content.Headers.ContentType?.MediaType);
        Assert.Contains("takes a WebSocket", await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var socket = await ConnectAsync(a);
        var huge = JsonSerializer.Serialize(new { peer = b.Id, channel = "navy", text = new string('x', 600 * 1024) });
        await socket.SendAsync(Encoding.UTF8.GetBytes(huge), WebSocketMessageType.Text, endOfMessage: true, default);
        var answers = await ReadAllAsync(socket);

        Assert.Empty(answers);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
        Assert.Contains("frame 1 is over", socket.CloseStatusDescription, StringComparison.Ordinal);
        Assert.Empty(a.Outbound(b));
    }

    [Fact]
    public async Task A_node_that_stops_answers_what_it_read_and_closes_its_streams()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (a, b) = (cluster.A, cluster.B);
        using var socket = await ConnectAsync(a);
        foreach (var i in Enumerable.Range(1, 5))
        {
            var frame = JsonSerializer.Serialize(new { peer = b.Id, channel = "navy", text = $"before the stop {i}" });
            await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, default);
        }
        await Poll.UntilAsync(() => a.Outbound(b).Count == 5, "the five to be committed");

        // The stream is open and idle: it must not hold the stop up.
        await a.DisposeAsync();
        var answers = await ReadAllAsync(socket);

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus);
        Assert.Equal("the node is stopping", socket.CloseStatusDescription);
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"before the stop {i}"),
            answers.Select(x => x.GetProperty("message").GetProperty("text").GetString()));
    }

    [Fact]
    public async Task A_stream_whose_sends_cannot_commit_stops_reading_at_its_window_and_metrics_say_for_how_long()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (a, b) = (cluster.A, cluster.B);
        using var http = new HttpClient { BaseAddress = a.Host.ApiUrl };
        using var socket = await ConnectAsync(a);
        Assert.Equal(0, Sample(await http.GetStringAsync("/metrics"), "hotline_message_stream_full_total"));
        var count = MessageStreamApi.Window + 40;
        var held = TimeSpan.FromMilliseconds(300);

        // Another connection holds the database's write lock: nothing A's writer begins can commit.
        using (var holder = new SqliteConnection($"Data Source={a.Folder.DatabaseFile};Pooling=False"))
        {
            holder.Open();
            using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                begin.ExecuteNonQuery();
            }
            foreach (var i in Enumerable.Range(1, count))
            {
                var frame = JsonSerializer.Serialize(new { peer = b.Id, channel = "navy", text = $"held report {i}" });
                await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, default);
            }
            await Poll.UntilAsync(async () => Sample(await http.GetStringAsync("/metrics"), "hotline_message_streams_open") == 1, "the stream to be counted open");
            await Task.Delay(held);
            Assert.Empty(a.Outbound(b));
        }
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
        var answers = await ReadAllAsync(socket);

        Assert.Equal(Enumerable.Range(1, count).Select(i => $"held report {i}"),
            answers.Select(x => x.GetProperty("message").GetProperty("text").GetString()));
        string metrics = "";
        await Poll.UntilAsync(async () =>
        {
            metrics = await http.GetStringAsync("/metrics");
            return Sample(metrics, "hotline_message_streams_open") == 0;
        }, "the stream to be counted closed");
        // Full at least while the lock was held; as the held sends are answered one by one, the
        // reader may find the window full again before the last frames are read.
        Assert.InRange(Sample(metrics, "hotline_message_stream_full_total"), 1, count - MessageStreamApi.Window);
        Assert.InRange(Sample(metrics, "hotline_message_stream_full_seconds_total"), held.TotalSeconds / 2, 30);
    }

    private static Uri StreamUri(InProcessNode node) =>
        new UriBuilder(node.Host.ApiUrl) { Scheme = "ws", Path = "/api/messages/stream" }.Uri;

    private static async Task<ClientWebSocket> ConnectAsync(InProcessNode node)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {node.Folder.LoadToken()}");
        await socket.ConnectAsync(StreamUri(node), default);
        return socket;
    }

    /// <summary>Every answer until the node closes the socket.</summary>
    private static async Task<List<JsonElement>> ReadAllAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var answers = new List<JsonElement>();
        var buffer = new byte[64 * 1024];
        using var frame = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult received;
            try
            {
                received = await socket.ReceiveAsync(buffer, timeout.Token);
            }
            catch (WebSocketException)
            {
                // The node closed while frames were still coming in: the close status says why.
                return answers;
            }
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return answers;
            }
            frame.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
            {
                answers.Add(JsonDocument.Parse(frame.ToArray()).RootElement.Clone());
                frame.SetLength(0);
            }
        }
    }
}
