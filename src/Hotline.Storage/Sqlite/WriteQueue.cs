using Microsoft.Data.Sqlite;

namespace Hotline.Storage.Sqlite;

/// <summary>
/// The single writer. Operations queued while a transaction is being flushed are gathered into the
/// next one, so many concurrent senders share one fsync (group commit). A caller's task completes
/// only after the transaction holding its operation has committed.
/// </summary>
/// <remarks>
/// There is no writer thread waiting for work. A caller that may block (<c>inline</c>: an API
/// request) and finds the writer idle commits on its own thread, and its await then goes on
/// without a hand-over to another thread: each hand-over costs a wake-up. Other callers never
/// commit on their thread: some write from inside their own locks, and a session's read loop must
/// go on reading (and checking signatures) while its batches commit, or the two would take turns.
/// Whatever is queued while a batch commits is committed by a thread-pool thread, batch after
/// batch, until the queue is empty.
/// </remarks>
internal sealed class WriteQueue : IAsyncDisposable
{
    private const int MaxBatch = 1024;
    private readonly Lock _lock = new();
    private readonly Queue<IWriteOp> _queue = new();
    private readonly SqliteConnection _connection;
    private readonly Action<SqliteConnection> _beforeCommit;
    private readonly Action _afterRollback;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // True while a thread is committing; that thread takes everything queued before it stops.
    private bool _running;
    private bool _closed;

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
    public Task<T> Enqueue<T>(Func<SqliteConnection, T> work, CancellationToken ct, Action<T>? afterCommit = null, bool inline = false)
    {
        var op = new WriteOp<T>(work, afterCommit);
        bool lead;
        lock (_lock)
        {
            if (_closed)
            {
                throw new ObjectDisposedException(nameof(WriteQueue), "The store is closed.");
            }
            _queue.Enqueue(op);
            lead = !_running;
            _running = true;
        }
        // Inline: one batch here (it holds this operation), anything queued meanwhile on the thread pool.
        if (lead && (!inline || RunBatch()))
        {
            ThreadPool.UnsafeQueueUserWorkItem(static q => q.Drain(), this, preferLocal: false);
        }
        return ct.CanBeCanceled ? op.Task.WaitAsync(ct) : op.Task;
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
        lock (_lock)
        {
            while (batch.Count < MaxBatch && _queue.TryDequeue(out var op))
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
        if (!TryRun(batch))
        {
            // One bad operation must not fail the others: run each on its own.
            foreach (var op in batch)
            {
                TryRun([op]);
            }
        }
        lock (_lock)
        {
            if (_queue.Count > 0)
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

    private bool TryRun(List<IWriteOp> ops)
    {
        // Plain BEGIN/COMMIT so the prepared commands need no transaction object.
        Execute("BEGIN IMMEDIATE");
        try
        {
            foreach (var op in ops)
            {
                op.Run(_connection);
            }
            _beforeCommit(_connection);
            Execute("COMMIT");
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
                return true;
            }
            return false;
        }
        foreach (var op in ops)
        {
            op.Complete();
        }
        return true;
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

    private sealed class WriteOp<T>(Func<SqliteConnection, T> work, Action<T>? afterCommit) : IWriteOp
    {
        private readonly TaskCompletionSource<T> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
