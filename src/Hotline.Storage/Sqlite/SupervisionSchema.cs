namespace Hotline.Storage.Sqlite;

/// <summary>Tables of link supervision: added beside the core schema, created on open if missing.</summary>
internal static class SupervisionSchema
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS link_events(
            event_id INTEGER PRIMARY KEY AUTOINCREMENT,
            peer_id TEXT NOT NULL,
            at_ms INTEGER NOT NULL,
            state TEXT NOT NULL,
            cause TEXT NOT NULL,
            path_index INTEGER,
            endpoint TEXT,
            rtt_ms REAL
        );
        CREATE INDEX IF NOT EXISTS link_events_peer ON link_events(peer_id, at_ms);
        -- What stores of schema 3 or older recorded of the paths; since 4 the path is in the envelope's row.
        CREATE TABLE IF NOT EXISTS envelope_paths(
            pos INTEGER PRIMARY KEY REFERENCES envelopes(pos),
            path_index INTEGER NOT NULL,
            endpoint TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS envelopes_tests ON envelopes(created_ms) WHERE kind = 4;
        CREATE TABLE IF NOT EXISTS line_test_schedule(
            peer_id TEXT PRIMARY KEY,
            last_ms INTEGER NOT NULL
        );
        """;
}
