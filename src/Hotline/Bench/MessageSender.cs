using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Hotline.Node.Hosting;

namespace Hotline.Cli.Bench;

/// <summary>
/// One message the bench sent: its id, when the API call started and was answered (Stopwatch
/// timestamps), and when it started by the wall clock (Unix ms, <see cref="LatencySummary.WallMs"/>).
/// </summary>
internal readonly record struct Sent(Guid Id, long Seq, long StartedAt, long AcceptedAt, double StartedUnixMs)
{
    public Sent(Guid id, long seq, SendStart started, long acceptedAt)
        : this(id, seq, started.At, acceptedAt, started.UnixMs)
    {
    }
}

/// <summary>When a send started: a Stopwatch timestamp, and the wall clock (Unix ms) read with it.</summary>
internal readonly record struct SendStart(long At, double UnixMs)
{
    public static SendStart Now() => new(Stopwatch.GetTimestamp(), LatencySummary.WallMs());
}

/// <summary>A node's counters from its /metrics (see <see cref="MessageSender.CountersAsync"/>).</summary>
internal readonly record struct NodeCounters(double PausedMs, double AllocatedBytes, double WriterBusySeconds, double WriterCpuSeconds,
    double WriterSlowTransactions, double WriterSlowSeconds, double PoolSlowStarts, double PoolSlowSeconds, double PoolThreads, double StreamFullSeconds);

/// <summary>
/// Posts messages to one node's operator API over HTTP/1.1 keep-alive connections, one per
/// concurrent sender, the way an operator's tools would.
/// </summary>
internal sealed class MessageSender : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private readonly HttpClient _http;
    private readonly string _peerId;
    private readonly string _token;

    public MessageSender(string name, DataFolder folder, string peerId)
    {
        Name = name;
        _peerId = peerId;
        _token = folder.LoadToken();
        var info = ApiClient.TryReadRuntime(folder) ?? throw new InvalidOperationException($"node {name} is not running");
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 512,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            UseProxy = false,
        })
        {
            BaseAddress = new Uri(info.ApiUrl),
            Timeout = TimeSpan.FromSeconds(60),
            DefaultRequestVersion = HttpVersion.Version11,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token);
    }

    public string Name { get; }

    /// <summary>For the event stream: no timeout.</summary>
    public HttpClient NewEventClient()
    {
        var http = new HttpClient { BaseAddress = _http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = _http.DefaultRequestHeaders.Authorization;
        return http;
    }

    public HttpClient Http => _http;

    /// <summary>Sends one message and returns once the node answered 202 (committed on its disk).</summary>
    public async Task<Sent> SendAsync(string text, string precedence, CancellationToken ct)
    {
        var (bytes, started, accepted) = await PostAsync("/api/messages", Message(text, precedence), "a send", ct);
        var (id, seq) = ReadIdAndSeq(bytes);
        return new Sent(id, seq, started, accepted);
    }

    /// <summary>Sends several messages in one request (POST /api/messages/batch); returns once all are committed.</summary>
    public async Task<List<Sent>> SendBatchAsync(IReadOnlyList<string> texts, string precedence, CancellationToken ct)
    {
        var body = $$"""{"messages":[{{string.Join(',', texts.Select(t => Message(t, precedence)))}}]}""";
        var (bytes, started, accepted) = await PostAsync("/api/messages/batch", body, "a batch", ct);
        using var json = JsonDocument.Parse(bytes);
        var sent = json.RootElement.GetProperty("messages").EnumerateArray()
            .Select(m => new Sent(m.GetProperty("id").GetGuid(), m.GetProperty("seq").GetInt64(), started, accepted)).ToList();
        return sent.Count == texts.Count ? sent : throw new BenchFailure($"node {Name} answered a batch of {texts.Count} with {sent.Count} messages");
    }

    /// <summary>
    /// The node's collector pauses (ms), managed allocations (bytes) and its store writer's busy and
    /// CPU time (s) since it started, from GET /metrics (<c>dotnet_gc_pause_seconds_total</c>,
    /// <c>dotnet_gc_allocated_bytes_total</c>, <c>hotline_store_busy_seconds_total</c>, <c>hotline_store_cpu_seconds_total</c>,
    /// <c>hotline_store_slow_transactions_total</c>, <c>hotline_store_slow_transaction_seconds_total</c>), and its thread pool's
    /// slow starts and threads (<c>hotline_threadpool_slow_starts_total</c>, <c>hotline_threadpool_slow_start_seconds_total</c>,
    /// <c>dotnet_threadpool_threads</c>), and how long its message streams stopped reading, their windows
    /// full (<c>hotline_message_stream_full_seconds_total</c>).
    /// </summary>
    public async Task<NodeCounters> CountersAsync(CancellationToken ct)
    {
        var metrics = (await _http.GetStringAsync("/metrics", ct)).Split('\n');
        double Read(string series) => metrics.FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal)) is { } line
            ? double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)
            : throw new BenchFailure($"node {Name}'s /metrics has no {series}");
        return new(Read("dotnet_gc_pause_seconds_total") * 1000, Read("dotnet_gc_allocated_bytes_total"), Read("hotline_store_busy_seconds_total"),
            Read("hotline_store_cpu_seconds_total"), Read("hotline_store_slow_transactions_total"), Read("hotline_store_slow_transaction_seconds_total"),
            Read("hotline_threadpool_slow_starts_total"), Read("hotline_threadpool_slow_start_seconds_total"), Read("dotnet_threadpool_threads"),
            Read("hotline_message_stream_full_seconds_total"));
    }

    /// <summary>One message as POST /api/messages takes it, and as a stream's frame carries it.</summary>
    public string Message(string text, string precedence) =>
        $$"""{"peer":"{{_peerId}}","channel":"navy","precedence":"{{precedence}}","text":{{JsonSerializer.Serialize(text)}}}""";

    /// <summary>Posts JSON; returns the answer's bytes, when the call started (Stopwatch timestamp and wall clock) and when it was answered. Anything but 202 fails the run.</summary>
    private async Task<(byte[] Bytes, SendStart Started, long Accepted)> PostAsync(string path, string json, string what, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json)) { Headers = { ContentType = JsonType } },
        };
        var started = SendStart.Now();
        using var response = await _http.SendAsync(request, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        var accepted = Stopwatch.GetTimestamp();
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new BenchFailure($"node {Name} answered {(int)response.StatusCode} to {what}: {Encoding.UTF8.GetString(bytes)}");
        }
        return (bytes, started, accepted);
    }

    private static (Guid Id, long Seq) ReadIdAndSeq(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        Guid? id = null;
        long? seq = null;
        while (reader.Read() && (id is null || seq is null))
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
            {
                continue;
            }
            if (reader.ValueTextEquals("id"u8) && reader.Read())
            {
                id = reader.GetGuid();
            }
            else if (reader.ValueTextEquals("seq"u8) && reader.Read())
            {
                seq = reader.GetInt64();
            }
        }
        return (id ?? throw new BenchFailure("a send was answered without an id"), seq ?? 0);
    }

    /// <summary>
    /// Closed loop: <paramref name="senders"/> concurrent senders, each sending as soon as its
    /// previous message was accepted, until <paramref name="count"/> are sent or the time is up.
    /// </summary>
    /// <param name="perRequest">Messages a request: above 1, each sender posts batches.</param>
    /// <param name="arrived">
    /// When given, a sender posts its next batch once the other node has its last one: the loop is
    /// closed on arrival, not on the API's answer, so the rate measured is one the link sustains
    /// (batches are accepted faster than one link carries them, and the outbox would only grow).
    /// </param>
    public async Task<List<Sent>> FloodAsync(int senders, int count, TimeSpan? duration, string label, string precedence, CancellationToken ct,
        int perRequest = 1, Func<Guid, Task>? arrived = null)
    {
        var results = new List<Sent>[senders];
        var issued = 0;
        var deadline = duration is { } d ? Stopwatch.GetTimestamp() + (long)(d.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async w =>
        {
            var mine = results[w] = [];
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var first = Interlocked.Add(ref issued, perRequest) - perRequest + 1;
                if (first > count)
                {
                    break;
                }
                if (perRequest == 1)
                {
                    mine.Add(await SendAsync(Text(label, first), precedence, ct));
                    continue;
                }
                var texts = Enumerable.Range(first, Math.Min(perRequest, count - first + 1)).Select(n => Text(label, n)).ToList();
                var batch = await SendBatchAsync(texts, precedence, ct);
                mine.AddRange(batch);
                if (arrived is not null)
                {
                    await Task.WhenAll(batch.Select(s => arrived(s.Id)));
                }
            }
        }));
        return [.. results.SelectMany(r => r)];
    }

    /// <summary>
    /// Closed loop over <paramref name="streams"/> WebSockets (GET /api/messages/stream), one message a
    /// frame: each stream keeps up to <paramref name="window"/> messages on their way, from its
    /// frame until the other node has it, so the rate measured is one the link sustains.
    /// </summary>
    public async Task<List<Sent>> StreamFloodAsync(int streams, int window, TimeSpan duration, string label, Func<Guid, Task> arrived, CancellationToken ct)
    {
        var issued = 0;
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var results = await Task.WhenAll(Enumerable.Range(0, streams).Select(async _ =>
        {
            var mine = new List<Sent>();
            // Not disposed: arrivals still release it after the stream has closed.
            var room = new SemaphoreSlim(window);
            await using var stream = await ConnectStreamAsync(s =>
            {
                mine.Add(s);
                arrived(s.Id).ContinueWith(_ => room.Release(), TaskScheduler.Default);
            }, ct);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                await room.WaitAsync(ct);
                await stream.SendAsync(Message(Text(label, Interlocked.Increment(ref issued)), "ROUTINE"), ct);
            }
            await stream.CloseAsync(ct);
            return mine;
        }));
        return [.. results.SelectMany(r => r)];
    }

    /// <param name="answered">Called on the stream's reading thread, one answer at a time, in the order sent.</param>
    public Task<MessageStreamClient> ConnectStreamAsync(Action<Sent> answered, CancellationToken ct) =>
        MessageStreamClient.ConnectAsync(_http.BaseAddress!, _token, Name, answered, ct);

    /// <summary>
    /// Open loop: offers <paramref name="rate"/> messages per second for <paramref name="duration"/>
    /// whatever the answers take, with up to <paramref name="senders"/> requests outstanding.
    /// </summary>
    /// <param name="streamed">
    /// Each sender is a WebSocket (GET /api/messages/stream) writing its messages as they are due,
    /// without waiting for answers; else an HTTP connection with one request outstanding.
    /// </param>
    public async Task<List<Sent>> PacedAsync(double rate, TimeSpan duration, int senders, string label, CancellationToken ct, bool streamed = false)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var tickets = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleWriter = true });
        var results = new List<Sent>[senders];
        var workers = Enumerable.Range(0, senders).Select(async w =>
        {
            var mine = results[w] = [];
            if (!streamed)
            {
                await foreach (var n in tickets.Reader.ReadAllAsync(ct))
                {
                    mine.Add(await SendAsync(Text(label, n), "ROUTINE", ct));
                }
                return;
            }
            await using var stream = await ConnectStreamAsync(mine.Add, ct);
            await foreach (var n in tickets.Reader.ReadAllAsync(ct))
            {
                await stream.SendAsync(Message(Text(label, n), "ROUTINE"), ct);
            }
            await stream.CloseAsync(ct);
        }).ToList();
        var start = Stopwatch.GetTimestamp();
        var issued = 0;
        while (issued < total)
        {
            var due = Math.Min(total, (int)(Stopwatch.GetElapsedTime(start).TotalSeconds * rate) + 1);
            while (issued < due)
            {
                tickets.Writer.TryWrite(++issued);
            }
            // A stream is written the way the XMPP anchor's sweep writes its one stream: every due
            // message back to back, then a pause of 2 ms.
            await Task.Delay(streamed ? 2 : 1, ct);
        }
        tickets.Writer.Complete();
        await Task.WhenAll(workers);
        return [.. results.SelectMany(r => r)];
    }

    /// <summary>About 100 bytes, like a short operational message.</summary>
    public static string Text(string label, int n) =>
        $"{label} {n:D7} bench traffic: position report, all units hold, next report at the top of the hour.".PadRight(100, '.')[..100];

    public void Dispose() => _http.Dispose();
}

/// <summary>The run cannot go on, or a correctness check failed: reported loudly, exit code 1.</summary>
internal sealed class BenchFailure(string message) : Exception(message);
