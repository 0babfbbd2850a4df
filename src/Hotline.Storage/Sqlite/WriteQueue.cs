using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Hotline.Storage.Sqlite;

/// <summary>
/// The single writer. Operations queued while a transaction is being flushed are gathered into the
/// next one, so many concurrent senders share one fsync (group commit). A caller's task completes
/// only after the transaction holding its operation has committed.
/// </summary>
/// <remarks>
/// There is no writer thread waiting for work. A caller that may block (<c>inline</c>: an API
/// request, a session's small inbound batch with nothing queued behind it) and finds the writer
/// idle commits on its own thread, and its await then goes on without a hand-over to another
/// thread: each hand-over costs a wake-up. Other callers never commit on their thread: some write
/// from inside their own locks, and a session's read loop must go on reading (and checking
/// signatures) while its batches commit, or the two would take turns.
/// Whatever is queued while a batch commits is committed by a thread-pool thread, batch after
/// batch, until the queue is empty.
/// <para>
/// Urgent operations (FLASH and IMMEDIATE traffic) have a lane of their own. Queued, they go ahead
/// of everything else; arriving while a transaction of other work runs, they join it after the
/// operation it is on, and it commits at once (what it had not run yet goes next). An urgent
/// message so waits for one operation and one flush, not for a backlog's worth of group commits.
/// </para>
/// </remarks>
internal sealed class WriteQueue : IAsyncDisposable
{
    private const int MaxBatch = 1024;
    private static readonly long SlowTicks = (long)(WriterStats.SlowTransaction.TotalSeconds * Stopwatch.Frequency);
    private readonly Lock _lock = new();
    private readonly Queue<IWriteOp> _queue = new();
    private readonly Queue<IWriteOp> _urgent = new();
    // Operations taken for a transaction that committed early for urgent work: they go next.
    private readonly List<IWriteOp> _carry = [];
    private readonly SqliteConnection _connection;
    private readonly Action<SqliteConnection> _beforeCommit;
    private readonly Action _afterRollback;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // True while a thread is committing; that thread takes everything queued before it stops.
    private bool _running;
    private bool _closed;
    // Only the thread that is committing adds to these (one at a time); read with Interlocked.
    private long _transactions, _operations, _busyTicks, _commitTicks, _cpuNanoseconds, _slowTransactions, _slowTicks;

    /// <param name="beforeCommit">Runs once per transaction after its operations, before it commits.</param>
    /// <param name="afterRollback">Runs after a transaction was rolled back: forget what it held.</param>
    public WriteQueue(SqliteConnection connection, Action<SqliteConnection> beforeCommit, Action afterRollback)
    {
        _connection = connection;
        _beforeCommit = beforeCommit;
        _afterRollback = afterRollback;
    }

    /// <param name="afterCommit">Runs on the committing thread right after the commit, in commit order.</param>
    /// <param name="inline">The caller holds no lock and can wait for the disk: if the writer is idle, commit on this thread.</param>
    /// <param name="urgent">Commit ahead of everything queued that is not urgent (see the remarks on the class).</param>
    public Task<T> Enqueue<T>(Func<SqliteConnection, T> work, CancellationToken ct, Action<T>? afterCommit = null, bool inline = false, bool urgent = false)
    {
        var op = new WriteOp<T>(work, afterCommit, urgent);
        Add([op], inline, urgent);
        return Awaited(op, ct);
    }

    /// <summary>Queues operations at once, in order: an idle writer then takes them all into one transaction.</summary>
    /// <param name="inline">As for <see cref="Enqueue{T}"/>.</param>
    public Task<T>[] EnqueueAll<T>(IEnumerable<Func<SqliteConnection, T>> works, CancellationToken ct, bool urgent = false, bool inline = false)
    {
        WriteOp<T>[] ops = [.. works.Select(work => new WriteOp<T>(work, null, urgent))];
        Add(ops, inline, urgent);
        return [.. ops.Select(op => Awaited(op, ct))];
    }

    private static Task<T> Awaited<T>(WriteOp<T> op, CancellationToken ct) => ct.CanBeCanceled ? op.Task.WaitAsync(ct) : op.Task;

    private void Add(IReadOnlyList<IWriteOp> ops, bool inline, bool urgent)
    {
        bool lead;
        lock (_lock)
        {
            if (_closed)
            {
                throw new ObjectDisposedException(nameof(WriteQueue), "The store is closed.");
            }
            foreach (var op in ops)
            {
                (urgent ? _urgent : _queue).Enqueue(op);
            }
            lead = !_running;
            _running = true;
        }
        // Inline: one batch here (it holds these operations), anything queued meanwhile on the thread pool.
        if (lead && (!inline || RunBatch()))
        {
            ThreadPool.UnsafeQueueUserWorkItem(static q => q.Drain(), this, preferLocal: false);
        }
    }

    private void Drain()
    {
        while (RunBatch())
        {
        }
    }

    /// <summary>Commits the next batch. False when nothing is left and the writer is idle again.</summary>
    private bool RunBatch()
    {
        var batch = new List<IWriteOp>();
        bool urgent;
        lock (_lock)
        {
            urgent = _urgent.Count > 0;
            if (!urgent)
            {
                // What an urgent batch interrupted goes first, in its order.
                batch.AddRange(_carry);
                _carry.Clear();
            }
            var from = urgent ? _urgent : _queue;
            while (batch.Count < MaxBatch && from.TryDequeue(out var op))
            {
                batch.Add(op);
            }
            if (batch.Count == 0)
            {
                _running = false;
                if (_closed)
                {
                    _stopped.TrySetResult();
                }
                return false;
            }
        }
        var started = Stopwatch.GetTimestamp();
        var cpu = ThreadCpu.Nanoseconds();
        var ran = TryRun(batch, yieldToUrgent: !urgent);
        if (ran < 0)
        {
            // One bad operation must not fail the others: run each on its own.
            foreach (var op in batch)
            {
                TryRun([op], yieldToUrgent: false);
            }
        }
        var took = Stopwatch.GetTimestamp() - started;
        Interlocked.Add(ref _busyTicks, took);
        if (took >= SlowTicks)
        {
            Interlocked.Increment(ref _slowTransactions);
            Interlocked.Add(ref _slowTicks, took);
        }
        Interlocked.Add(ref _cpuNanoseconds, ThreadCpu.Nanoseconds() - cpu);
        lock (_lock)
        {
            if (ran > 0 && ran < batch.Count)
            {
                _carry.AddRange(batch.Skip(ran));
            }
            if (_queue.Count > 0 || _urgent.Count > 0 || _carry.Count > 0)
            {
                return true;
            }
            _running = false;
            if (_closed)
            {
                _stopped.TrySetResult();
            }
            return false;
        }
    }

    /// <summary>
    /// Runs operations in one transaction. With <paramref name="yieldToUrgent"/>, urgent work that
    /// arrives between two of them is inserted next and the transaction commits after it. Returns how
    /// many of <paramref name="ops"/> were committed (or failed, alone), or -1 when several were
    /// rolled back together.
    /// </summary>
    private int TryRun(List<IWriteOp> ops, bool yieldToUrgent)
    {
        // Plain BEGIN/COMMIT so the prepared commands need no transaction object.
        Execute("BEGIN IMMEDIATE");
        var ran = 0;
        try
        {
            while (ran < ops.Count)
            {
                if (ran > 0 && yieldToUrgent && TakeUrgent() is { Count: > 0 } urgent)
                {
                    // Urgent work arrived: it joins this transaction next, which then commits.
                    ops.InsertRange(ran, urgent);
                    for (var end = ran + urgent.Count; ran < end;)
                    {
                        ops[ran++].Run(_connection);
                    }
                    break;
                }
                ops[ran++].Run(_connection);
            }
            _beforeCommit(_connection);
            var commit = Stopwatch.GetTimestamp();
            Execute("COMMIT");
            var committed = Stopwatch.GetTimestamp();
            Interlocked.Add(ref _commitTicks, committed - commit);
            Interlocked.Increment(ref _transactions);
            Interlocked.Add(ref _operations, ran);
        }
        catch (Exception e)
        {
            if (!_connection.AutoCommit())
            {
                Execute("ROLLBACK");
            }
            _afterRollback();
            if (ops.Count == 1)
            {
                ops[0].Fail(e);
                return 1;
            }
            return -1;
        }
        for (var i = 0; i < ran; i++)
        {
            ops[i].Complete();
        }
        return ran;
    }

    /// <summary>What the writer has committed so far (transactions rolled back are not counted).</summary>
    public WriterStats Stats => new(Interlocked.Read(ref _transactions), Interlocked.Read(ref _operations),
        Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _busyTicks)).TotalSeconds,
        Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _commitTicks)).TotalSeconds,
        Interlocked.Read(ref _cpuNanoseconds) / 1e9, Interlocked.Read(ref _slowTransactions),
        Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _slowTicks)).TotalSeconds);

    private List<IWriteOp>? TakeUrgent()
    {
        lock (_lock)
        {
            if (_urgent.Count == 0)
            {
                return null;
            }
            var taken = new List<IWriteOp>(_urgent);
            _urgent.Clear();
            return taken;
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _closed = true;
            if (!_running)
            {
                _stopped.TrySetResult();
            }
        }
        await _stopped.Task.ConfigureAwait(false);
    }

    private interface IWriteOp
    {
        void Run(SqliteConnection connection);
        void Complete();
        void Fail(Exception e);
    }

    private sealed class WriteOp<T>(Func<SqliteConnection, T> work, Action<T>? afterCommit, bool urgent) : IWriteOp
    {
        // An urgent caller goes on on the writer's thread right after the commit, rather than
        // waiting for a thread-pool thread behind whatever else the pool has queued.
        private readonly TaskCompletionSource<T> _tcs = new(urgent ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _tcs.Task;

        public void Run(SqliteConnection connection) => _result = work(connection);

        public void Complete()
        {
            try
            {
                afterCommit?.Invoke(_result!);
            }
            finally
            {
                _tcs.TrySetResult(_result!);
            }
        }

        public void Fail(Exception e) => _tcs.TrySetException(e);
    }
}
