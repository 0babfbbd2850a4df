using System.Text.Json;
using Hotline.Core.Envelopes;
using Hotline.Core.Messages;
using Hotline.Protocol;
using Microsoft.Data.Sqlite;

namespace Hotline.Storage.Sqlite;

public sealed partial class SqliteStore : ISupervisionStore
{
    public Task RecordLinkTransitionAsync(LinkTransition t, CancellationToken ct = default) =>
        _queue.Enqueue(db => db.Execute(
            "INSERT INTO link_events(peer_id, at_ms, state, cause, path_index, endpoint, rtt_ms) VALUES($p, $t, $s, $c, $i, $e, $r)",
            ("$p", t.PeerId), ("$t", t.At.ToUnixTimeMilliseconds()), ("$s", t.State), ("$c", t.Cause),
            ("$i", t.Path?.Index), ("$e", t.Path?.Endpoint), ("$r", t.RoundTripMs)), ct);

    public IReadOnlyList<LinkTransition> ListLinkTransitions(string peerId, DateTimeOffset since, DateTimeOffset until)
    {
        using var db = Open();
        using var command = db.Command(
            """
            SELECT * FROM (SELECT event_id, peer_id, at_ms, state, cause, path_index, endpoint, rtt_ms FROM link_events
                           WHERE peer_id = $p AND at_ms < $since ORDER BY at_ms DESC, event_id DESC LIMIT 1)
            UNION ALL
            SELECT event_id, peer_id, at_ms, state, cause, path_index, endpoint, rtt_ms FROM link_events
            WHERE peer_id = $p AND at_ms >= $since AND at_ms <= $until
            ORDER BY 3, 1
            """,
            ("$p", peerId), ("$since", since.ToUnixTimeMilliseconds()), ("$until", until.ToUnixTimeMilliseconds()));
        using var r = command.ExecuteReader();
        var list = new List<LinkTransition>();
        while (r.Read())
        {
            list.Add(new LinkTransition
            {
                Id = r.GetInt64(0),
                PeerId = r.GetString(1),
                At = Time(r, 2)!.Value,
                State = r.GetString(3),
                Cause = r.GetString(4),
                Path = r.IsDBNull(6) ? null : new LinkPath(r.IsDBNull(5) ? -1 : r.GetInt32(5), r.GetString(6)),
                RoundTripMs = r.IsDBNull(7) ? null : r.GetDouble(7),
            });
        }
        return list;
    }

    public Task UpdateEndpointsAsync(string peerId, IReadOnlyList<string> endpoints, CancellationToken ct = default) =>
        _queue.Enqueue(db => db.Execute("UPDATE peers SET endpoints = $e WHERE peer_id = $id",
            ("$e", JsonArray(endpoints)), ("$id", peerId)), ct);

    /// <summary>
    /// The path that carried envelope <c>e</c>: in its row since schema 4, in <c>envelope_paths</c>
    /// (joined as <c>p</c>) for what a store of an earlier schema recorded.
    /// </summary>
    private const string PathColumns = "coalesce(e.path_index, p.path_index), coalesce(e.path_endpoint, p.endpoint)";

    private const string TestColumns =
        $"""
        e.peer_id, e.direction, e.body, e.signature, e.committed_ms, e.delivered_ms, e.acked_ms, e.acked_by,
        EXISTS (SELECT 1 FROM alarms a WHERE a.message_id = e.id AND a.direction = e.direction AND a.kind = 'line-test-missed'),
        {PathColumns}
        """;

    public IReadOnlyList<LineTestRecord> ListLineTests(string? peerId, DateTimeOffset since, int limit = 10_000) => Tests(
        $"""
        SELECT {TestColumns} FROM envelopes e LEFT JOIN envelope_paths p ON p.pos = e.pos
        WHERE e.kind = 4 AND e.created_ms >= $since AND ($peer IS NULL OR e.peer_id = $peer)
        ORDER BY e.created_ms, e.pos LIMIT $l
        """,
        ("$since", since.ToUnixTimeMilliseconds()), ("$peer", peerId), ("$l", limit));

    public LineTestRecord? FindLineTest(Guid id) => Tests(
        $"SELECT {TestColumns} FROM envelopes e LEFT JOIN envelope_paths p ON p.pos = e.pos WHERE e.kind = 4 AND e.id = $id",
        ("$id", Uuid7.ToBytes(id))).FirstOrDefault();

    public IReadOnlyList<LineTestRecord> FindMissedLineTests(DateTimeOffset now, int limit = 200)
    {
        // The window is inside the signed body, so filter on the largest window a test may have, then exactly.
        var candidates = Tests(
            $"""
            SELECT {TestColumns} FROM envelopes e LEFT JOIN envelope_paths p ON p.pos = e.pos
            WHERE e.kind = 4 AND e.acked_ms IS NULL AND e.rejected IS NULL
              AND NOT EXISTS (SELECT 1 FROM alarms a WHERE a.message_id = e.id AND a.direction = e.direction AND a.kind = 'line-test-missed')
            ORDER BY e.created_ms LIMIT 10000
            """);
        return candidates.Where(t => t.Deadline <= now).Take(limit).ToList();
    }

    private List<LineTestRecord> Tests(string sql, params (string, object?)[] args)
    {
        using var db = Open();
        using var command = db.Command(sql, args);
        using var r = command.ExecuteReader();
        var list = new List<LineTestRecord>();
        while (r.Read())
        {
            var e = EnvelopeCodec.DecodeTrusted((byte[])r[2], (byte[])r[3]);
            var direction = (Direction)r.GetInt32(1);
            list.Add(new LineTestRecord
            {
                Id = e.Id,
                PeerId = r.GetString(0),
                Direction = direction,
                SentAt = e.Created,
                Window = TimeSpan.FromSeconds(e.AnswerWithinSeconds),
                StartedBy = e.Actor ?? "?",
                DeliveredAt = direction == Direction.Inbound ? Time(r, 4) : Time(r, 5),
                AnsweredAt = Time(r, 6),
                AnsweredBy = r.IsDBNull(7) ? null : r.GetString(7),
                Alarmed = r.GetBoolean(8),
                Path = r.IsDBNull(10) ? null : new LinkPath(r.GetInt32(9), r.GetString(10)),
            });
        }
        return list;
    }

    public Task<LineTestAnswer> AnswerLineTestAsync(PeerRecord peer, Guid testId, string actor, Action<StoredMessage>? committed = null,
        CancellationToken ct = default) =>
        _queue.Enqueue(db =>
        {
            var original = QueryOn(db, $"SELECT {MessageColumns} FROM envelopes WHERE id = $id AND direction = 1 AND peer_id = $p AND kind = 4",
                ("$id", Uuid7.ToBytes(testId)), ("$p", peer.Id)).FirstOrDefault();
            if (original is null)
            {
                return new LineTestAnswer(null, null, $"no line test {testId} received from {peer.Name}");
            }
            if (original.AcknowledgedAt is { } at)
            {
                return new LineTestAnswer(null, null, $"already answered by {original.AcknowledgedBy} at {Dtg.Format(at)}");
            }
            var now = Now();
            var response = Append(db, peer, new EnvelopeDraft
            {
                Kind = EnvelopeKind.Acknowledgement,
                Channel = original.Envelope.Channel,
                Precedence = original.Envelope.Precedence,
                Label = original.Envelope.Label,
                Text = "",
                Reference = testId,
                Actor = actor,
            }, now);
            var ms = now.ToUnixTimeMilliseconds();
            db.Execute("UPDATE envelopes SET seen_ms = coalesce(seen_ms, $t), seen_by = coalesce(seen_by, $by), acked_ms = $t, acked_by = $by WHERE pos = $pos",
                ("$t", ms), ("$by", actor), ("$pos", original.Position));
            ClearAlarms(db, testId, actor, now);
            return new LineTestAnswer(response, null, null);
        }, ct, r =>
        {
            if (r.Response is not null)
            {
                committed?.Invoke(r.Response);
            }
        });

    public DateTimeOffset? LastScheduledLineTest(string peerId)
    {
        using var db = Open();
        using var command = db.Command("SELECT last_ms FROM line_test_schedule WHERE peer_id = $p", ("$p", peerId));
        using var r = command.ExecuteReader();
        return r.Read() ? Time(r, 0) : null;
    }

    public Task SetLastScheduledLineTestAsync(string peerId, DateTimeOffset at, CancellationToken ct = default) =>
        _queue.Enqueue(db => db.Execute(
            "INSERT INTO line_test_schedule(peer_id, last_ms) VALUES($p, $t) ON CONFLICT(peer_id) DO UPDATE SET last_ms = $t",
            ("$p", peerId), ("$t", at.ToUnixTimeMilliseconds())), ct);

    public LinkPath? PathOf(Guid id, Direction direction)
    {
        using var db = Open();
        using var command = db.Command(
            $"SELECT {PathColumns} FROM envelopes e LEFT JOIN envelope_paths p ON p.pos = e.pos WHERE e.id = $id AND e.direction = $d",
            ("$id", Uuid7.ToBytes(id)), ("$d", (int)direction));
        using var r = command.ExecuteReader();
        return r.Read() && !r.IsDBNull(0) ? new LinkPath(r.GetInt32(0), r.GetString(1)) : null;
    }

    /// <summary>Through (peer_id, kind): /metrics asks at every scrape, and the alarms of years stay in the table.</summary>
    internal const string CountAlarmsOf = "SELECT count(*) FROM alarms WHERE peer_id = $p AND kind = $k";

    public long CountAlarms(string peerId, string kind)
    {
        using var db = Open();
        return db.Scalar<long>(CountAlarmsOf, ("$p", peerId), ("$k", kind));
    }

    public bool Ping()
    {
        using var db = Open();
        return db.Scalar<long>("SELECT count(*) FROM peers") >= 0;
    }
}
