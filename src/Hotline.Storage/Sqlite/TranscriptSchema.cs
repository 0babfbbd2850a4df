namespace Hotline.Storage.Sqlite;

/// <summary>Tables of the transcript: refused entries, co-signed checkpoints, the Merkle frontiers of the latest, divergences.</summary>
internal static class TranscriptSchema
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS refused_envelopes(
            peer_id TEXT NOT NULL REFERENCES peers(peer_id),
            seq INTEGER NOT NULL,
            body BLOB NOT NULL,
            signature BLOB NOT NULL,
            hash BLOB NOT NULL,
            reason TEXT NOT NULL,
            received_ms INTEGER NOT NULL,
            PRIMARY KEY(peer_id, seq)
        );
        CREATE TABLE IF NOT EXISTS checkpoints(
            checkpoint_id INTEGER PRIMARY KEY AUTOINCREMENT,
            peer_id TEXT NOT NULL REFERENCES peers(peer_id),
            body BLOB NOT NULL,
            signature_a BLOB NOT NULL,
            signature_b BLOB NOT NULL,
            created_ms INTEGER NOT NULL,
            stored_ms INTEGER NOT NULL,
            UNIQUE(peer_id, body)
        );
        CREATE TABLE IF NOT EXISTS transcript_frontiers(
            peer_id TEXT NOT NULL REFERENCES peers(peer_id),
            direction INTEGER NOT NULL,
            count INTEGER NOT NULL,
            head BLOB NOT NULL,
            hashes BLOB NOT NULL,
            PRIMARY KEY(peer_id, direction)
        );
        CREATE TABLE IF NOT EXISTS divergences(
            divergence_id INTEGER PRIMARY KEY AUTOINCREMENT,
            peer_id TEXT NOT NULL,
            at_ms INTEGER NOT NULL,
            kind TEXT NOT NULL,
            direction INTEGER,
            seq INTEGER,
            detail TEXT NOT NULL,
            evidence_body BLOB,
            evidence_signature BLOB
        );
        """;
}
