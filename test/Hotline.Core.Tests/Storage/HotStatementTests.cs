using Hotline.Storage.Sqlite;
using Hotline.Testing;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Hotline.Core.Tests.Storage;

/// <summary>The writer's positionally bound statements, on a real SQLite file.</summary>
public sealed class HotStatementTests : IDisposable
{
    private readonly TempFolder _temp = new("hotstatement");
    private readonly SqliteConnection _db;

    public HotStatementTests()
    {
        _db = new SqliteConnection($"Data Source={_temp.Combine("h.db")}");
        _db.Open();
        _db.Execute("CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT NOT NULL UNIQUE, b BLOB NOT NULL, n INTEGER)");
    }

    [Fact]
    public void Binds_by_position_inserts_and_reports_a_row_it_did_not_insert_as_0()
    {
        using var insert = new HotStatement(_db, "INSERT INTO t(k, b, n) VALUES(?, ?, ?) ON CONFLICT DO NOTHING");

        var first = insert.Bind(1, "a").Bind(2, new byte[] { 1, 2 }).Bind(3, 7L).Insert();
        var second = insert.Bind(1, "b").Bind(2, Array.Empty<byte>()).Bind(3, (long?)null).Insert();
        var again = insert.Bind(1, "a").Bind(2, new byte[] { 9 }).Bind(3, 1L).Insert();

        Assert.Equal([1L, 2L, 0L], [first, second, again]);
        Assert.Equal("a|0102|7;b||", _db.Scalar<string>("SELECT group_concat(k || '|' || hex(b) || '|' || coalesce(n, ''), ';') FROM t ORDER BY id"));
        // An empty array is an empty blob, not NULL (b is NOT NULL).
        Assert.Equal(0L, _db.Scalar<long>("SELECT length(b) FROM t WHERE k = 'b'"));
    }

    [Fact]
    public void A_failed_execution_throws_and_leaves_the_statement_usable()
    {
        using var insert = new HotStatement(_db, "INSERT INTO t(k, b) VALUES(?, ?)");
        using var update = new HotStatement(_db, "UPDATE t SET n = ? WHERE k = ?");

        var error = Assert.Throws<SqliteException>(() => insert.Bind(1, (string?)null).Bind(2, new byte[] { 1 }).Execute());
        Assert.Contains("NOT NULL", error.Message, StringComparison.Ordinal);
        Assert.Equal(1L, insert.Bind(1, "c").Bind(2, new byte[] { 1 }).Insert());
        Assert.Equal(1, update.Bind(1, 5L).Bind(2, "c").Execute());
        Assert.Equal(0, update.Bind(1, 5L).Bind(2, "nobody").Execute());
    }

    public void Dispose()
    {
        _db.Dispose();
        _temp.Dispose();
    }
}
