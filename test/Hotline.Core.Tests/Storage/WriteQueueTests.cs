using Hotline.Storage.Sqlite;
using Hotline.Testing;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Hotline.Core.Tests.Storage;

/// <summary>The writer's urgent lane, on a real SQLite file: what commits when, and in which transaction.</summary>
public sealed class WriteQueueTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly TempFolder _temp = new("writequeue");
    private readonly List<(string Name, int Transaction)> _committed = [];
    private SqliteConnection _connection = null!;
    private WriteQueue _queue = null!;
    private int _transactions;

    public Task InitializeAsync()
    {
        _connection = new SqliteConnection($"Data Source={_temp.Combine("q.db")}");
        _connection.Open();
        using (var create = _connection.CreateCommand())
        {
            create.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE t(name TEXT NOT NULL)";
            create.ExecuteNonQuery();
        }
        _queue = new WriteQueue(_connection, _ => _transactions++, () => { });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _queue.DisposeAsync();
        _connection.Dispose();
        _temp.Dispose();
    }

    /// <summary>Inserts a row named <paramref name="name"/>; <paramref name="hold"/> keeps the writer inside the operation.</summary>
    private Task<string> Write(string name, bool urgent = false, Func<Task>? hold = null) => _queue.Enqueue(db =>
    {
        hold?.Invoke().Wait(Wait);
        return Insert(db, name);
    }, CancellationToken.None, n =>
    {
        lock (_committed)
        {
            _committed.Add((n, _transactions));
        }
    }, urgent: urgent);

    private static string Insert(SqliteConnection db, string name)
    {
        using var insert = db.CreateCommand();
        insert.CommandText = "INSERT INTO t(name) VALUES($n)";
        insert.Parameters.AddWithValue("$n", name);
        insert.ExecuteNonQuery();
        return name;
    }

    private string? Rows()
    {
        using var rows = _connection.CreateCommand();
        rows.CommandText = "SELECT group_concat(name, ',') FROM (SELECT name FROM t ORDER BY rowid)";
        return rows.ExecuteScalar() as string;
    }

    /// <summary>
    /// Leaves the writer inside a transaction of two routine operations, running the first of them
    /// ("second", held until <c>Release</c> is set) with "third" still to run; "first" committed before,
    /// alone, while the two were queued behind it.
    /// </summary>
    private async Task<(Task<string>[] Routine, TaskCompletionSource Release)> InsideATransactionOfTwoAsync()
    {
        TaskCompletionSource firstStarted = new(), releaseFirst = new(), secondStarted = new(), releaseSecond = new();
        var first = Write("first", hold: Gate(firstStarted, releaseFirst));
        await firstStarted.Task.WaitAsync(Wait);
        var second = Write("second", hold: Gate(secondStarted, releaseSecond));
        var third = Write("third");
        releaseFirst.SetResult();
        await secondStarted.Task.WaitAsync(Wait);
        return ([first, second, third], releaseSecond);
    }

    private static Func<Task> Gate(TaskCompletionSource started, TaskCompletionSource release) => () =>
    {
        started.TrySetResult();
        return release.Task;
    };

    [Fact]
    public async Task Urgent_work_queued_behind_a_busy_writer_commits_before_routine_work_queued_earlier()
    {
        TaskCompletionSource started = new(), release = new();
        var busy = Write("busy", hold: Gate(started, release));
        await started.Task.WaitAsync(Wait);
        var routine = new[] { Write("routine 1"), Write("routine 2") };
        var urgent = Write("urgent", urgent: true);
        release.SetResult();

        await Task.WhenAll([busy, urgent, .. routine]).WaitAsync(Wait);

        Assert.Equal(["busy", "urgent", "routine 1", "routine 2"], _committed.Select(c => c.Name));
        // The urgent operation had a transaction of its own; the routine ones shared the next.
        Assert.Equal([1, 2, 3, 3], _committed.Select(c => c.Transaction));
    }

    [Fact]
    public async Task Urgent_work_arriving_mid_transaction_joins_it_after_the_running_operation_and_the_rest_commit_next()
    {
        var (routine, release) = await InsideATransactionOfTwoAsync();
        var urgent = Write("urgent", urgent: true);
        release.SetResult();

        await Task.WhenAll([.. routine, urgent]).WaitAsync(Wait);

        Assert.Equal([("first", 1), ("second", 2), ("urgent", 2), ("third", 3)], _committed);
        Assert.Equal("first,second,urgent,third", Rows());
    }

    [Fact]
    public async Task A_transaction_that_holds_the_writer_100_ms_or_more_is_counted_slow_with_its_time()
    {
        Assert.Equal((0, 0.0), (_queue.Stats.SlowTransactions, _queue.Stats.SlowSeconds));

        // Held 160 ms for a bound of 150: a timer may fire a tick early by the writer's stopwatch.
        await Write("held", hold: () => Task.Delay(160)).WaitAsync(Wait);

        var stats = _queue.Stats;
        Assert.Equal(1, stats.Transactions);
        Assert.Equal(1, stats.SlowTransactions);
        Assert.InRange(stats.SlowSeconds, 0.15, stats.BusySeconds);
    }

    [Fact]
    public async Task Operations_queued_together_are_committed_in_one_transaction_by_an_idle_writer()
    {
        var parts = _queue.EnqueueAll(new[] { "part 1", "part 2", "part 3" }.Select(name => (Func<SqliteConnection, string>)(db => Insert(db, name))),
            CancellationToken.None);

        Assert.Equal(new[] { "part 1", "part 2", "part 3" }, await Task.WhenAll(parts).WaitAsync(Wait));
        Assert.Equal(1, _transactions);
        Assert.Equal("part 1,part 2,part 3", Rows());
    }

    [Fact]
    public void Operations_queued_inline_with_the_writer_idle_are_committed_on_the_callers_thread_before_the_call_returns()
    {
        var threads = new List<int>();

        var parts = _queue.EnqueueAll(new[] { "part 1", "part 2" }.Select(name => (Func<SqliteConnection, string>)(db =>
        {
            threads.Add(Environment.CurrentManagedThreadId);
            return Insert(db, name);
        })), CancellationToken.None, inline: true);

        Assert.All(parts, p => Assert.True(p.IsCompletedSuccessfully));
        Assert.Equal([Environment.CurrentManagedThreadId, Environment.CurrentManagedThreadId], threads);
        Assert.Equal(1, _transactions);
        Assert.Equal("part 1,part 2", Rows());
    }

    [Fact]
    public async Task Operations_queued_inline_behind_a_busy_writer_are_left_to_it_and_the_caller_goes_on()
    {
        TaskCompletionSource started = new(), release = new();
        var busy = Write("busy", hold: Gate(started, release));
        await started.Task.WaitAsync(Wait);
        var caller = Environment.CurrentManagedThreadId;
        var threads = new List<int>();

        var parts = _queue.EnqueueAll(new[] { "part" }.Select(name => (Func<SqliteConnection, string>)(db =>
        {
            threads.Add(Environment.CurrentManagedThreadId);
            return Insert(db, name);
        })), CancellationToken.None, inline: true);

        Assert.False(parts[0].IsCompleted);
        release.SetResult();
        await Task.WhenAll([busy, .. parts]).WaitAsync(Wait);
        Assert.NotEqual(caller, Assert.Single(threads));
        Assert.Equal("busy,part", Rows());
    }

    [Fact]
    public async Task A_failing_urgent_operation_that_joined_a_transaction_fails_alone_and_the_others_commit()
    {
        var (routine, release) = await InsideATransactionOfTwoAsync();
        var bad = _queue.Enqueue<string>(_ => throw new InvalidOperationException("bad urgent work"), CancellationToken.None, urgent: true);
        release.SetResult();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => bad.WaitAsync(Wait));
        Assert.Equal("bad urgent work", error.Message);
        await Task.WhenAll(routine).WaitAsync(Wait);
        Assert.Equal(["first", "second", "third"], _committed.Select(c => c.Name));
        Assert.Equal("first,second,third", Rows());
    }
}
