using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace Hotline.Cli.Bench;

/// <summary>
/// Follows one node's live event stream (<c>/api/events</c>) and notes, with the bench's
/// monotonic clock, when each message arrived on that node and when each of its own messages
/// was reported delivered. Parses only the fields it needs, so that it keeps up with the node.
/// </summary>
internal sealed class EventRecorder : IAsyncDisposable
{
    // Each message's arrival (bench clock) with the event's own time (the node's clock, Unix ms).
    // Plain dictionaries of plain structs under one lock, not concurrent ones: a million entries
    // then hold no references for the collector to trace (a concurrent dictionary keeps an object per
    // entry). Every event arriving while the bench is paused is timed late by the pause: a quick run
    // paused 3.5-4.2 s with concurrent dictionaries, 3.0 s without (GC.GetGCMemoryInfo; NodeEnvironment).
    // Each kept in 64 parts by id: a dictionary of a million entries that grows copies and rehashes
    // all of them while the event stream waits (a stall of tens of ms that showed as the nodes' p99
    // at 10,000/s: 17.7-26.8 ms against 11.0-12.8 with the dictionaries made large enough up front).
    private readonly Lock _lock = new();
    private readonly Shards _received = new();
    private readonly Shards _delivered = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _receivedWaiters = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _deliveredWaiters = new();
    private readonly ConcurrentBag<Guid> _duplicates = [];
    private readonly CancellationTokenSource _stop = new();
    // The current connection's greeting; a node started again is followed on a new connection.
    private TaskCompletionSource _hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _loops = [];
    private long _receivedCount;
    private long _deliveredCount;
    private long _lastReceivedAt;
    private long _linkUpAt;
    private long _linkUps;

    public string Name { get; }

    public EventRecorder(string name) => Name = name;

    public long ReceivedCount => Interlocked.Read(ref _receivedCount);
    public long DeliveredCount => Interlocked.Read(ref _deliveredCount);
    /// <summary>Stopwatch timestamp of the latest arrival, 0 before any.</summary>
    public long LastReceivedAt => Interlocked.Read(ref _lastReceivedAt);
    /// <summary>Stopwatch timestamp of the latest <c>link.up</c> event, 0 before any.</summary>
    public long LinkUpAt => Interlocked.Read(ref _linkUpAt);
    /// <summary>How many <c>link.up</c> events this node has reported: a session that came up again.</summary>
    public long LinkUps => Interlocked.Read(ref _linkUps);
    public IReadOnlyCollection<Guid> Duplicates => _duplicates;

    public bool TryGetReceived(Guid id, out long at) => TryGet(_received, id, out at, out _);
    public bool TryGetDelivered(Guid id, out long at) => TryGet(_delivered, id, out at, out _);
    /// <summary>When this node committed a message it received, by its own clock (Unix ms, whole milliseconds).</summary>
    public bool TryGetCommittedMs(Guid id, out long unixMs) => TryGet(_received, id, out _, out unixMs);

    private bool TryGet(Shards seen, Guid id, out long at, out long eventMs)
    {
        bool found;
        Arrival arrival;
        lock (_lock)
        {
            found = seen.Of(id).TryGetValue(id, out arrival);
        }
        (at, eventMs) = (arrival.At, arrival.EventMs);
        return found;
    }

    private readonly record struct Arrival(long At, long EventMs);

    private sealed class Shards
    {
        private readonly Dictionary<Guid, Arrival>[] _parts = [.. Enumerable.Range(0, 64).Select(_ => new Dictionary<Guid, Arrival>())];

        public Dictionary<Guid, Arrival> Of(Guid id) => _parts[id.GetHashCode() & 63];
    }

    /// <summary>Connects to the node's event stream; returns once the stream is open. Again after the node restarted: the same records go on.</summary>
    public async Task ConnectAsync(HttpClient http, CancellationToken ct)
    {
        var hello = _hello = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Only what it times: the node then writes, and this parses, none of the rest (message.committed
        // is one full message per message sent).
        var response = await http.GetAsync("/api/events?types=message.received,message.delivered,link.up", HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        var stream = await response.Content.ReadAsStreamAsync(ct);
        _loops.Add(Task.Run(() => ReadAsync(response, stream, _stop.Token), CancellationToken.None));
        await hello.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
    }

    private async Task ReadAsync(HttpResponseMessage response, Stream stream, CancellationToken ct)
    {
        using var _ = response;
        try
        {
            await foreach (var _1 in SseParser.Create(stream, OnEvent).EnumerateAsync(ct))
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
        }
    }

    private int OnEvent(string type, ReadOnlySpan<byte> data)
    {
        var now = Stopwatch.GetTimestamp();
        switch (type)
        {
            case "message.received":
                Arrived(_received, _receivedWaiters, FirstId(data), now, ref _receivedCount, duplicateCheck: true);
                Interlocked.Exchange(ref _lastReceivedAt, now);
                break;
            case "message.delivered":
                Arrived(_delivered, _deliveredWaiters, FirstId(data), now, ref _deliveredCount, duplicateCheck: false);
                break;
            case "link.up":
                Interlocked.Exchange(ref _linkUpAt, now);
                Interlocked.Increment(ref _linkUps);
                break;
            case "hello":
                _hello.TrySetResult();
                break;
            default:
                break;
        }
        return 0;
    }

    private void Arrived(Shards seen, ConcurrentDictionary<Guid, TaskCompletionSource> waiters,
        (Guid Id, long AtMs) ev, long now, ref long count, bool duplicateCheck)
    {
        var id = ev.Id;
        bool added;
        lock (_lock)
        {
            added = seen.Of(id).TryAdd(id, new Arrival(now, ev.AtMs));
        }
        if (!added)
        {
            if (duplicateCheck)
            {
                _duplicates.Add(id);
            }
            return;
        }
        Interlocked.Increment(ref count);
        if (waiters.TryRemove(id, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>
    /// The first "id" property (the event's own for delivered, the message's for received) and the
    /// event's "at" before it (Unix ms; 0 if there is none).
    /// </summary>
    private static (Guid Id, long AtMs) FirstId(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        long at = 0;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }
            if (reader.ValueTextEquals("at"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                at = reader.GetDateTimeOffset().ToUnixTimeMilliseconds();
            }
            else if (reader.ValueTextEquals("id"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                return (reader.GetGuid(), at);
            }
        }
        throw new InvalidDataException("event without an id: " + System.Text.Encoding.UTF8.GetString(data));
    }

    public Task WaitReceivedAsync(Guid id, CancellationToken ct) => WaitAsync(_received, _receivedWaiters, id, ct);

    public Task WaitDeliveredAsync(Guid id, CancellationToken ct) => WaitAsync(_delivered, _deliveredWaiters, id, ct);

    private Task WaitAsync(Shards seen, ConcurrentDictionary<Guid, TaskCompletionSource> waiters,
        Guid id, CancellationToken ct)
    {
        if (TryGet(seen, id, out _, out _))
        {
            return Task.CompletedTask;
        }
        var waiter = waiters.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (TryGet(seen, id, out _, out _) && waiters.TryRemove(id, out var w))
        {
            w.TrySetResult();
        }
        return waiter.Task.WaitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}
