namespace Hotline.Storage.Sqlite;

internal static class Schema
{
    /// <summary>2: users.language. 3: no envelopes_channel index. 4: the path in the envelope's row.</summary>
    public const int Version = 4;

    /// <remarks>
    /// <c>envelopes.pos</c> and <c>receipts.receipt_id</c> are plain integer keys, not AUTOINCREMENT:
    /// no row of either is ever deleted, so a new row takes the largest key plus one all the same,
    /// without a write to <c>sqlite_sequence</c> (one more page) in every commit. Stores created
    /// before schema 4 keep AUTOINCREMENT, which a table cannot drop in place; they behave the same.
    /// </remarks>
    public const string Create = """
        CREATE TABLE IF NOT EXISTS peers(
            peer_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            identity_key BLOB NOT NULL UNIQUE,
            tls_sha256 TEXT NOT NULL UNIQUE,
            endpoints TEXT NOT NULL,
            channels TEXT NOT NULL,
            card TEXT NOT NULL,
            labels TEXT NOT NULL,
            settings TEXT NOT NULL DEFAULT '{}',
            added_ms INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS envelopes(
            pos INTEGER PRIMARY KEY,
            peer_id TEXT NOT NULL REFERENCES peers(peer_id),
            direction INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            id BLOB NOT NULL,
            kind INTEGER NOT NULL,
            channel TEXT NOT NULL,
            precedence INTEGER NOT NULL,
            created_ms INTEGER NOT NULL,
            committed_ms INTEGER NOT NULL,
            body BLOB NOT NULL,
            signature BLOB NOT NULL,
            hash BLOB NOT NULL,
            delivered_ms INTEGER,
            receipt_id INTEGER REFERENCES receipts(receipt_id),
            rejected TEXT,
            label TEXT,
            reference BLOB,
            seen_ms INTEGER,
            seen_by TEXT,
            acked_ms INTEGER,
            acked_by TEXT,
            ack_reply TEXT,
            path_index INTEGER,
            path_endpoint TEXT,
            UNIQUE(peer_id, direction, seq)
        );
        CREATE INDEX IF NOT EXISTS envelopes_open ON envelopes(direction, precedence, created_ms)
            WHERE kind = 1 AND acked_ms IS NULL AND rejected IS NULL;
        CREATE UNIQUE INDEX IF NOT EXISTS envelopes_id ON envelopes(id, direction);
        CREATE INDEX IF NOT EXISTS envelopes_outbox ON envelopes(peer_id, seq)
            WHERE direction = 0 AND delivered_ms IS NULL AND rejected IS NULL;
        CREATE INDEX IF NOT EXISTS envelopes_translations ON envelopes(reference) WHERE kind IN (5, 6);
        CREATE TABLE IF NOT EXISTS receipts(
            receipt_id INTEGER PRIMARY KEY,
            peer_id TEXT NOT NULL,
            body BLOB NOT NULL,
            signature BLOB NOT NULL,
            received_ms INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS alarms(
            alarm_id INTEGER PRIMARY KEY AUTOINCREMENT,
            message_id BLOB NOT NULL,
            direction INTEGER NOT NULL,
            peer_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            raised_ms INTEGER NOT NULL,
            step INTEGER NOT NULL DEFAULT -1,
            step_ms INTEGER,
            reason TEXT NOT NULL,
            cleared_ms INTEGER,
            cleared_by TEXT,
            UNIQUE(message_id, direction, kind)
        );
        CREATE INDEX IF NOT EXISTS alarms_open ON alarms(raised_ms) WHERE cleared_ms IS NULL;
        CREATE INDEX IF NOT EXISTS alarms_peer_kind ON alarms(peer_id, kind);
        CREATE TABLE IF NOT EXISTS notifications(
            notification_id INTEGER PRIMARY KEY AUTOINCREMENT,
            alarm_id INTEGER NOT NULL REFERENCES alarms(alarm_id),
            step INTEGER NOT NULL,
            hook TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_ms INTEGER NOT NULL,
            done_ms INTEGER,
            last_error TEXT,
            UNIQUE(alarm_id, step, hook)
        );
        CREATE INDEX IF NOT EXISTS notifications_due ON notifications(next_ms) WHERE done_ms IS NULL;
        CREATE TABLE IF NOT EXISTS security_events(
            event_id INTEGER PRIMARY KEY AUTOINCREMENT,
            at_ms INTEGER NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        """ + Users;

    /// <summary>
    /// Brings a database made by an earlier version (its <c>user_version</c>) up to <see cref="Version"/>:
    /// columns added after a table was first created, which CREATE TABLE IF NOT EXISTS does not add.
    /// A new database (version 0) is created whole by <see cref="Create"/>.
    /// </summary>
    public static void Migrate(Microsoft.Data.Sqlite.SqliteConnection db, long from)
    {
        if (from is > 0 and < 2)
        {
            db.Execute("ALTER TABLE users ADD COLUMN language TEXT");
        }
        if (from is > 0 and < 3)
        {
            // No query used it (listing by channel walks positions, newest or oldest first), and
            // every envelope paid an index insert for it on both nodes.
            db.Execute("DROP INDEX IF EXISTS envelopes_channel");
        }
        if (from is > 0 and < 4)
        {
            // The path that carried an envelope was a row of envelope_paths: one more table, so one
            // more page written, in every commit of an envelope or a receipt. The rows already
            // there stay where they are (readers look in both).
            AddColumn(db, "envelopes", "path_index", "INTEGER");
            AddColumn(db, "envelopes", "path_endpoint", "TEXT");
        }
    }

    private static void AddColumn(Microsoft.Data.Sqlite.SqliteConnection db, string table, string column, string type)
    {
        if (db.Scalar<long>($"SELECT count(*) FROM pragma_table_info('{table}') WHERE name = '{column}'") == 0)
        {
            db.Execute($"ALTER TABLE {table} ADD COLUMN {column} {type}");
        }
    }

    /// <summary>Console users, the audit log and shift handover notes (see SqliteStore.Users.cs).</summary>
    private const string Users = """
        CREATE TABLE IF NOT EXISTS users(
            user_id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            roles TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            totp_secret TEXT,
            totp_last_step INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            locked_until_ms INTEGER,
            disabled INTEGER NOT NULL DEFAULT 0,
            stamp TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            language TEXT
        );
        CREATE TABLE IF NOT EXISTS audit(
            audit_id INTEGER PRIMARY KEY AUTOINCREMENT,
            at_ms INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS handovers(
            handover_id INTEGER PRIMARY KEY AUTOINCREMENT,
            written_ms INTEGER NOT NULL,
            written_by TEXT NOT NULL,
            note TEXT NOT NULL,
            confirmed_ms INTEGER,
            confirmed_by TEXT
        );
        """;
}
