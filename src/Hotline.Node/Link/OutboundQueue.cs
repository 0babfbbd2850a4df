using Hotline.Core.Envelopes;
using Hotline.Core.Messages;

namespace Hotline.Node.Link;

/// <summary>
/// Envelopes committed for one peer and not yet receipted, mirrored from the store. Hands out the
/// highest precedence first and, within a precedence, in sequence order. Envelopes sent on a
/// session that dies go back to the front when the next session starts.
/// </summary>
public sealed class OutboundQueue
{
    private const int Levels = 4;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, Envelope> _unacked = [];
    private readonly SortedSet<long>[] _pending = [.. Enumerable.Range(0, Levels).Select(_ => new SortedSet<long>())];
    private readonly HashSet<long> _inFlight = [];
    private TaskCompletionSource _signal = NewSignal();
    private long _epoch;

    public OutboundQueue(int window) => Window = window;

    /// <summary>
    /// How many envelopes may be on the wire unreceipted at once: keeps urgent traffic from
    /// queueing behind a flood. FLASH and IMMEDIATE have a reserve above it, so they never wait
    /// for the window to drain.
    /// </summary>
    public int Window { get; }

    public const int UrgentReserve = 128;

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
            foreach (var e in _unacked.Values)
            {
                counts[Level(e.Precedence)]++;
            }
            return counts;
        }
    }

    public void Add(Envelope envelope)
    {
        lock (_lock)
        {
            if (!_unacked.TryAdd(envelope.Seq, envelope))
            {
                return;
            }
            _pending[Level(envelope.Precedence)].Add(envelope.Seq);
            Wake();
        }
    }

    /// <summary>The peer holds these now (or refused them for good): forget them.</summary>
    public void Acknowledge(IEnumerable<long> seqs)
    {
        lock (_lock)
        {
            foreach (var seq in seqs)
            {
                if (_unacked.Remove(seq, out var e))
                {
                    _pending[Level(e.Precedence)].Remove(seq);
                }
                _inFlight.Remove(seq);
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
            foreach (var set in _pending)
            {
                set.Clear();
            }
            foreach (var (seq, e) in _unacked)
            {
                _pending[Level(e.Precedence)].Add(seq);
            }
            Wake();
            return _epoch;
        }
    }

    /// <summary>Takes the next envelopes to send, up to the batch limits, or waits until there are some.</summary>
    public async Task<List<Envelope>> TakeAsync(long epoch, int maxCount, int maxBytes, CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (epoch != _epoch)
                {
                    throw new OperationCanceledException("a newer session owns the queue");
                }
                // Checked under the lock: a session closed before a Rewind must take nothing after it.
                ct.ThrowIfCancellationRequested();
                var batch = TakeLocked(maxCount, maxBytes);
                if (batch.Count > 0)
                {
                    return batch;
                }
                if (_signal.Task.IsCompleted)
                {
                    _signal = NewSignal();
                }
                wait = _signal.Task;
            }
            await wait.WaitAsync(ct);
        }
    }

    private List<Envelope> TakeLocked(int maxCount, int maxBytes)
    {
        var batch = new List<Envelope>();
        var bytes = 0;
        for (var level = Levels - 1; level >= 0; level--)
        {
            var set = _pending[level];
            var limit = level >= Level(Precedence.Immediate) ? Window + UrgentReserve : Window;
            while (set.Count > 0 && batch.Count < maxCount && _inFlight.Count < limit)
            {
                var seq = set.Min;
                var e = _unacked[seq];
                if (batch.Count > 0 && bytes + e.Body.Length > maxBytes)
                {
                    return batch;
                }
                set.Remove(seq);
                _inFlight.Add(seq);
                batch.Add(e);
                bytes += e.Body.Length;
            }
        }
        return batch;
    }

    private void Wake() => _signal.TrySetResult();

    private static int Level(Precedence p) => (int)p - 1;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
