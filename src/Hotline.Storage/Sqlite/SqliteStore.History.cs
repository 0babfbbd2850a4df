namespace Hotline.Storage.Sqlite;

public sealed partial class SqliteStore : IMessageHistory
{
    public IReadOnlyList<StoredMessage> ListLatest(int limit, string? channel = null) => Query(
        $"""
        SELECT {MessageColumns} FROM (
            SELECT * FROM envelopes WHERE kind = 1 AND ($channel IS NULL OR channel = $channel) ORDER BY pos DESC LIMIT $limit
        ) ORDER BY pos
        """,
        ("$channel", channel), ("$limit", Math.Clamp(limit, 1, 10_000)));
}
