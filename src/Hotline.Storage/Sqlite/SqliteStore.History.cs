using Hotline.Core.Envelopes;

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

    public IReadOnlyList<StoredMessage> ListTranslations(IReadOnlyCollection<Guid> messageIds)
    {
        if (messageIds.Count == 0)
        {
            return [];
        }
        var ids = messageIds.Distinct().Select((id, i) => ($"$r{i}", (object?)Uuid7.ToBytes(id))).ToArray();
        var list = string.Join(", ", ids.Select(p => p.Item1));
        // Translations of the messages, then certifications of those translations (one partial index covers both).
        return Query(
            $"""
            WITH t AS (SELECT pos, id FROM envelopes WHERE kind IN (5, 6) AND kind = 5 AND reference IN ({list}))
            SELECT {MessageColumns} FROM envelopes
            WHERE pos IN (SELECT pos FROM t) OR (kind IN (5, 6) AND kind = 6 AND reference IN (SELECT id FROM t))
            ORDER BY pos
            """, ids);
    }
}
