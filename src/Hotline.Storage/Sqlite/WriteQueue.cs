using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Hotline.Storage.Sqlite;

/// <summary>
/// The single writer. Operations queued while a transaction is being flushed are gathered into the
/// next one, so many concurrent senders share one fsync (group commit). A caller's task completes
/// only after the transaction holding its operation has committed.
/// </summary>
internal sealed class WriteQueue : IAsyncDisposable
{
    private const int MaxBatch = 1024;
    private readonly Channel<IWriteOp> _queue = Channel.CreateUnbounded<IWriteOp>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection _connection;
    private readonly Action _afterRollback;
    private readonly Task _loop;

    public WriteQueue(SqliteConnection connection, Action afterRollback)
    {
        _connection = connection;
        _afterRollback = afterRollback;
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <param name="afterCommit">Runs on the writer thread right after the commit, in commit order.</param>
    public Task<T> Enqueue<T>(Func<SqliteConnection, T> work, CancellationToken ct, Action<T>? afterCommit = null)
    {
        var op = new WriteOp<T>(work, afterCommit);
        if (!_queue.Writer.TryWrite(op))
        {
            throw new ObjectDisposedException(nameof(WriteQueue), "The store is closed.");
        }
        return ct.CanBeCanceled ? op.Task.WaitAsync(ct) : op.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<IWriteOp>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var op))
            {
                batch.Add(op);
            }
            if (!TryRun(batch))
            {
                // One bad operation must not fail the others: run each on its own.
                foreach (var op in batch)
                {
                    TryRun([op]);
                }
            }
            batch.Clear();
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
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
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
