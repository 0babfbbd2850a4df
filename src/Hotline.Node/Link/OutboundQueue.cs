using Hotline.Core.Envelopes;
using Hotline.Core.Messages;

namespace Hotline.Node.Link;

/// <summary>
/// Envelopes committed for one peer and not yet receipted, mirrored from the store. Hands out the
/// highest precedence first and, within a precedence, in sequence order. Envelopes sent on a
/// session that dies go back to the front when the next session starts.
/// </summary>
/// <remarks>
/// The queue keeps each envelope's sequence number, precedence and size. It keeps the signed bytes
/// too while they fit in <see cref="MemoryBudget"/>; beyond that (a backlog built up during an
/// outage) it reads them back from the store a batch at a time when they are taken, so a backlog of
/// any length costs a few dozen bytes an envelope.
/// </remarks>
public sealed class OutboundQueue
{
    private const int Levels = 4;
    /// <summary>Signed bytes kept in memory at most; the rest are read back from the store.</summary>
    public const long MemoryBudget = 8 << 20;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, Item> _unacked = [];
    private readonly SortedSet<long>[] _pending = [.. Enumerable.Range(0, Levels).Select(_ => new SortedSet<long>())];
    private readonly HashSet<long> _inFlight = [];
    private int _urgentInFlight;
    private readonly Func<IReadOnlyList<long>, IReadOnlyDictionary<long, WireEnvelope>>? _load;
    private readonly Action? _urgentAdded;
    private readonly Func<bool>? _urgentLately;
    private TaskCompletionSource _signal = NewSignal();
    private long _epoch;
    private long _heldBytes;

    /// <param name="window">See <see cref="Window"/>.</param>
    /// <param name="load">Reads signed bytes back from the store; without it, the queue keeps them all in memory.</param>
    /// <param name="urgentAdded">Called (outside the queue's lock) when a FLASH or IMMEDIATE envelope is added.</param>
    /// <param name="urgentLately">True while urgent traffic has crossed the link lately (see <see cref="WindowWhileUrgent"/>).</param>
    public OutboundQueue(int window, Func<IReadOnlyList<long>, IReadOnlyDictionary<long, WireEnvelope>>? load = null, Action? urgentAdded = null,
        Func<bool>? urgentLately = null)
    {
        Window = window;
        _load = load;
        _urgentAdded = urgentAdded;
        _urgentLately = urgentLately;
    }

    /// <summary>
    /// How many envelopes may be on the wire unreceipted at once when no urgent traffic is about: it
    /// bounds the work queued in front of the next urgent envelope, and it keeps a backlog's drain
    /// moving while receipts travel back. FLASH and IMMEDIATE have a reserve above it, so they never
    /// wait for the window to drain.
    /// </summary>
    public int Window { get; }

    /// <summary>
    /// The <see cref="Window"/> a node's links use: 1,024 drained a backlog of 100,000 at 28,965
    /// and 30,317/s where 256 did at 20,288/s (hotline bench, full runs).
    /// </summary>
    public const int DefaultWindow = 1024;

    public const int UrgentReserve = 128;

    /// <summary>
    /// The window for PRIORITY and ROUTINE while a FLASH or IMMEDIATE envelope is on the wire, and
    /// while urgent traffic has crossed the link lately either way (<c>urgentLately</c>): the
    /// receiver then has little routine work ahead of the next urgent one, and both nodes' cores
    /// are less busy with the backlog. A backlog drains at about half its speed then, and through
    /// the whole <see cref="Window"/> once the link has been quiet a while (hotline bench, FLASH one
    /// every 10 ms behind 100,000 ROUTINE: p99 16.2 and 17.1 ms with 256 between urgent envelopes,
    /// 9.0-14.0 ms in four runs with this window, the backlog drained meanwhile at 15,000 and 7,700/s).
    /// </summary>
    public const int WindowWhileUrgent = 32;

    /// <summary>
    /// While the window is <see cref="WindowWhileUrgent"/>, PRIORITY and ROUTINE go out only once
    /// this many of its places are free, or when nothing is on the wire: in batches of at least this
    /// many rather than each receipt's worth, so both nodes' store writers commit fewer, larger
    /// transactions beside the urgent ones (hotline bench, FLASH behind 100,000 while the probes
    /// ran: 22-32 % fewer transactions, writers busy 30-39 % of the time instead of 37-50 %, the
    /// backlog draining as fast).
    /// </summary>
    public const int MinRoutineBatchWhileUrgent = 16;

    /// <summary>The current session's epoch (see <see cref="Rewind"/>).</summary>
    public long Epoch
    {
        get
        {
            lock (_lock)
            {
                return _epoch;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _unacked.Count;
            }
        }
    }

    public int[] PendingByPrecedence()
    {
        lock (_lock)
        {
            var counts = new int[Levels];
            foreach (var item in _unacked.Values)
            {
                counts[item.Level]++;
            }
            return counts;
        }
    }

    /// <summary>A newly committed envelope.</summary>
    public void Add(Envelope envelope) => Add(envelope.Seq, envelope.Precedence, envelope.Body.Length, new WireEnvelope(envelope.Seq, envelope.Body, envelope.Signature));

    /// <summary>An envelope of the stored outbox (at start-up): its bytes are read when it is taken.</summary>
    public void Add(long seq, Precedence precedence, int size) => Add(seq, precedence, size, null);

    private void Add(long seq, Precedence precedence, int size, WireEnvelope? wire)
    {
        var level = Level(precedence);
        lock (_lock)
        {
            var item = new Item(level, size);
            if (!_unacked.TryAdd(seq, item))
            {
                return;
            }
            if (wire is not null && (_load is null || _heldBytes + size <= MemoryBudget))
            {
                item.Wire = wire;
                _heldBytes += size;
            }
            _pending[item.Level].Add(seq);
            Wake();
        }
        if (level >= UrgentLevel)
        {
            _urgentAdded?.Invoke();
        }
    }

    /// <summary>The peer holds these now (or refused them for good): forget them.</summary>
    public void Acknowledge(IEnumerable<long> seqs)
    {
        lock (_lock)
        {
            foreach (var seq in seqs)
            {
                if (_unacked.Remove(seq, out var item))
                {
                    _pending[item.Level].Remove(seq);
                    if (item.Wire is not null)
                    {
                        _heldBytes -= item.Size;
                    }
                    if (_inFlight.Remove(seq) && item.Level >= UrgentLevel)
                    {
                        _urgentInFlight--;
                    }
                }
            }
            Wake();
        }
    }

    /// <summary>
    /// A new session: everything unreceipted is due again, in order. Returns the session's epoch;
    /// a session holding an older epoch can take nothing more.
    /// </summary>
    public long Rewind()
    {
        lock (_lock)
        {
            _epoch++;
            _inFlight.Clear();
            _urgentInFlight = 0;
            foreach (var set in _pending)
            {
                set.Clear();
            }
            foreach (var (seq, item) in _unacked)
            {
                _pending[item.Level].Add(seq);
            }
            Wake();
            return _epoch;
        }
    }

    /// <summary>Takes the next envelopes to send, up to the batch limits, or waits until there are some.</summary>
    public async Task<List<WireEnvelope>> TakeAsync(long epoch, int maxCount, int maxBytes, CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            List<(long Seq, WireEnvelope? Wire)> batch;
            lock (_lock)
            {
                if (epoch != _epoch)
                {
                    throw new OperationCanceledException("a newer session owns the queue");
                }
                // Checked under the lock: a session closed before a Rewind must take nothing after it.
                ct.ThrowIfCancellationRequested();
                batch = TakeLocked(maxCount, maxBytes);
                if (_signal.Task.IsCompleted)
                {
                    _signal = NewSignal();
                }
                wait = _signal.Task;
            }
            if (batch.Count > 0)
            {
                return batch.Exists(b => b.Wire is null) ? Load(batch) : batch.ConvertAll(b => b.Wire!);
            }
            await wait.WaitAsync(ct);
        }
    }

    /// <summary>Reads the bytes the queue does not keep, in one query for the batch; keeps the batch's order.</summary>
    private List<WireEnvelope> Load(List<(long Seq, WireEnvelope? Wire)> batch)
    {
        var loaded = _load!([.. batch.Where(b => b.Wire is null).Select(b => b.Seq)]);
        var list = new List<WireEnvelope>(batch.Count);
        foreach (var (seq, wire) in batch)
        {
            // Missing only if receipted and gone meanwhile: nothing to send then.
            if ((wire ?? loaded.GetValueOrDefault(seq)) is { } w)
            {
                list.Add(w);
            }
        }
        return list;
    }

    private List<(long Seq, WireEnvelope? Wire)> TakeLocked(int maxCount, int maxBytes)
    {
        var batch = new List<(long, WireEnvelope?)>();
        var bytes = 0;
        int? routineLimit = null;
        for (var level = Levels - 1; level >= 0; level--)
        {
            if (level == UrgentLevel - 1 && batch.Count > 0)
            {
                // Urgent envelopes travel in a batch of their own: a small batch, which the
                // receiver commits ahead of the routine ones (docs/protocol.md §7).
                return batch;
            }
            var set = _pending[level];
            // PRIORITY and ROUTINE share one limit, asked of the link's clock once a batch.
            var limit = level >= UrgentLevel ? Window + UrgentReserve
                : routineLimit ??= _urgentInFlight > 0 || _urgentLately?.Invoke() == true ? Math.Min(Window, WindowWhileUrgent) : Window;
            if (level < UrgentLevel && limit < Window && _inFlight.Count > 0 && limit - _inFlight.Count < MinRoutineBatchWhileUrgent)
            {
                continue;
            }
            while (set.Count > 0 && batch.Count < maxCount && _inFlight.Count < limit)
            {
                var seq = set.Min;
                var item = _unacked[seq];
                if (batch.Count > 0 && bytes + item.Size > maxBytes)
                {
                    return batch;
                }
                set.Remove(seq);
                _inFlight.Add(seq);
                if (level >= UrgentLevel)
                {
                    _urgentInFlight++;
                }
                batch.Add((seq, item.Wire));
                bytes += item.Size;
            }
        }
        return batch;
    }

    private void Wake() => _signal.TrySetResult();

    private static int Level(Precedence p) => (int)p - 1;

    /// <summary>FLASH and IMMEDIATE: the levels with the reserve and batches of their own.</summary>
    private static readonly int UrgentLevel = Level(Precedence.Immediate);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Item(int level, int size)
    {
        public int Level { get; } = level;
        public int Size { get; } = size;
        public WireEnvelope? Wire { get; set; }
    }
}
