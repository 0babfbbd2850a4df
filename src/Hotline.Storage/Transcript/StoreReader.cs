using Hotline.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Hotline.Storage.Transcript;

/// <summary>
/// Reads a node's database file read-only and without interpreting it, for <c>hotline verify</c>
/// and <c>hotline export</c>: every value comes back as SQLite holds it, so that a tampered row
/// is reported rather than trusted. Works while the node is stopped or running.
/// </summary>
public sealed class StoreReader : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly HashSet<string> _tables;

    private StoreReader(SqliteConnection db)
    {
        _db = db;
        _tables = [];
        // One read transaction for the reader's life: every query sees the same snapshot, so that a
        // running node's later commits (an entry, then a checkpoint covering it) never show in one
        // query and not in another.
        db.Execute("BEGIN");
        using var command = db.Command("SELECT name FROM sqlite_master WHERE type = 'table'");
        using var r = command.ExecuteReader();
        while (r.Read())
        {
            _tables.Add(r.GetString(0));
        }
    }

    /// <summary>Opens <paramref name="path"/> read-only; a missing or unreadable file gives a <see cref="StoreReadException"/> that names the fix.</summary>
    public static StoreReader Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new StoreReadException($"no database at {path}: give the data folder of an initialised node");
        }
        // With no write-ahead log beside it (the node is stopped), open it immutable: SQLite then
        // creates no -wal or -shm file, so even a copy on write-protected media can be checked.
        // Otherwise read it read-only through the log, which holds the latest commits.
        var source = File.Exists(path + "-wal") ? path : new Uri(Path.GetFullPath(path)).AbsoluteUri + "?immutable=1";
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        try
        {
            db.Open();
            var reader = new StoreReader(db);
            if (!reader._tables.Contains("envelopes") || !reader._tables.Contains("peers"))
            {
                throw new StoreReadException($"{path} is not a Hotline database (no envelopes or peers table); check the --data folder");
            }
            return reader;
        }
        catch (SqliteException e)
        {
            db.Dispose();
            throw new StoreReadException($"cannot read {path} ({e.Message}): check the file and its permissions");
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    public bool HasTable(string name) => _tables.Contains(name);

    public IReadOnlyList<RawRow> Peers() => Rows("SELECT rowid, * FROM peers ORDER BY rowid");

    /// <summary>Envelope rows of one peer and direction, by seq (then pos).</summary>
    public IEnumerable<RawRow> Envelopes(string peerId, int direction) =>
        Stream("SELECT * FROM envelopes WHERE peer_id = $p AND direction = $d ORDER BY seq, pos", ("$p", peerId), ("$d", direction));

    /// <summary>Envelope rows of one peer and direction whose seq lies in <paramref name="from"/>..<paramref name="to"/>, by seq (then pos).</summary>
    public IEnumerable<RawRow> Envelopes(string peerId, int direction, long from, long to) =>
        Stream("SELECT * FROM envelopes WHERE peer_id = $p AND direction = $d AND seq BETWEEN $from AND $to ORDER BY seq, pos",
            ("$p", peerId), ("$d", direction), ("$from", from), ("$to", to));

    /// <summary>Envelope rows that belong to no known peer, or to no direction.</summary>
    public IReadOnlyList<RawRow> StrayEnvelopes() =>
        Rows("SELECT * FROM envelopes WHERE peer_id NOT IN (SELECT peer_id FROM peers) OR direction NOT IN (0, 1) OR typeof(direction) <> 'integer' ORDER BY pos");

    /// <summary>Receipts of one peer, or (null) those of no known peer, as they are read.</summary>
    public IEnumerable<RawRow> Receipts(string? peerId) =>
        Stream(peerId is null
            ? "SELECT * FROM receipts WHERE peer_id NOT IN (SELECT peer_id FROM peers) ORDER BY receipt_id"
            : "SELECT * FROM receipts WHERE peer_id = $p ORDER BY receipt_id", ("$p", peerId));

    public IReadOnlyList<RawRow> Refused(string peerId) =>
        HasTable("refused_envelopes") ? Rows("SELECT rowid, * FROM refused_envelopes WHERE peer_id = $p ORDER BY seq", ("$p", peerId)) : [];

    public IReadOnlyList<RawRow> Refused(string peerId, long from, long to) =>
        HasTable("refused_envelopes")
            ? Rows("SELECT rowid, * FROM refused_envelopes WHERE peer_id = $p AND seq BETWEEN $from AND $to ORDER BY seq", ("$p", peerId), ("$from", from), ("$to", to))
            : [];

    public IReadOnlyList<RawRow> Checkpoints(string peerId) =>
        HasTable("checkpoints") ? Rows("SELECT * FROM checkpoints WHERE peer_id = $p ORDER BY checkpoint_id", ("$p", peerId)) : [];

    public IReadOnlyList<RawRow> Frontiers(string peerId) =>
        HasTable("transcript_frontiers") ? Rows("SELECT * FROM transcript_frontiers WHERE peer_id = $p ORDER BY direction", ("$p", peerId)) : [];

    public IReadOnlyList<RawRow> Divergences(string peerId) =>
        HasTable("divergences") ? Rows("SELECT * FROM divergences WHERE peer_id = $p ORDER BY divergence_id", ("$p", peerId)) : [];

    private List<RawRow> Rows(string sql, params (string, object?)[] args) => [.. Stream(sql, args)];

    private IEnumerable<RawRow> Stream(string sql, params (string, object?)[] args)
    {
        using var command = _db.Command(sql, args);
        using var r = command.ExecuteReader();
        var columns = new Dictionary<string, int>(r.FieldCount, StringComparer.Ordinal);
        for (var i = 0; i < r.FieldCount; i++)
        {
            columns[r.GetName(i)] = i;
        }
        while (r.Read())
        {
            var values = new object?[r.FieldCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            }
            yield return new RawRow(columns, values);
        }
    }

    public void Dispose() => _db.Dispose();
}
