namespace Hotline.Storage.Sqlite;

internal static class Schema
{
    public const int Version = 1;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS peers(
            peer_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            identity_key BLOB NOT NULL UNIQUE,
            tls_sha256 TEXT NOT NULL UNIQUE,
            endpoints TEXT NOT NULL,
            channels TEXT NOT NULL,
            card TEXT NOT NULL,
            added_ms INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS envelopes(
            pos INTEGER PRIMARY KEY AUTOINCREMENT,
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
            UNIQUE(peer_id, direction, seq)
        );
        CREATE UNIQUE INDEX IF NOT EXISTS envelopes_id ON envelopes(id, direction);
        CREATE INDEX IF NOT EXISTS envelopes_outbox ON envelopes(peer_id, seq)
            WHERE direction = 0 AND delivered_ms IS NULL AND rejected IS NULL;
        CREATE INDEX IF NOT EXISTS envelopes_channel ON envelopes(channel, pos);
        CREATE TABLE IF NOT EXISTS receipts(
            receipt_id INTEGER PRIMARY KEY AUTOINCREMENT,
            peer_id TEXT NOT NULL,
            body BLOB NOT NULL,
            signature BLOB NOT NULL,
            received_ms INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS security_events(
            event_id INTEGER PRIMARY KEY AUTOINCREMENT,
            at_ms INTEGER NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        """;
}
