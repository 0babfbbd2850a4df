using Hotline.Core.Envelopes;
using Hotline.Protocol;
using Hotline.Storage.Transcript;
using Microsoft.Data.Sqlite;

namespace Hotline.Storage.Sqlite;

public sealed partial class SqliteStore : ITranscriptStore
{
    // Prepared on the writer connection: one held inbound entry (accepted or refused) by seq.
    private SqliteCommand? _heldInbound;
    // Writer thread only: the highest inbound entry held per peer (accepted or refused), so that
    // an envelope arriving in order is checked against its predecessor without a query.
    private readonly Dictionary<string, (long Seq, byte[] Hash)> _inboundTops = [];

    /// <summary>
    /// The receiver's chain rule (docs/protocol.md §6.3): a new inbound entry must name as
    /// predecessor the hash of the entry before it, when that one is held, and must be the one its
    /// held successor names. Null when the entry fits or is already held.
    /// </summary>
    private string? ChainConflict(SqliteConnection db, string peerId, long seq, byte[] hash, byte[] prevHash)
    {
        var top = InboundTop(db, peerId);
        if (seq > top.Seq)
        {
            // Nothing is held at seq or after it: only the predecessor can disagree, and it is known if held.
            return seq == top.Seq + 1 && seq > 1 && !top.Hash.AsSpan().SequenceEqual(prevHash)
                ? $"{DivergenceKinds.ChainMismatchReason}: prev_hash is not the hash of seq {seq - 1} held here"
                : null;
        }
        if (HeldInbound(db, peerId, seq) is { } held)
        {
            // A copy of an accepted envelope is the caller's business (a replay, or a conflict).
            return !held.Refused ? null
                : held.Hash.AsSpan().SequenceEqual(hash) ? "this envelope was refused before"
                : "a different envelope is held at this sequence number";
        }
        if (seq > 1 && HeldInbound(db, peerId, seq - 1) is { } before && !before.Hash.AsSpan().SequenceEqual(prevHash))
        {
            return $"{DivergenceKinds.ChainMismatchReason}: prev_hash is not the hash of seq {seq - 1} held here";
        }
        if (HeldInbound(db, peerId, seq + 1) is { } after
            && !EnvelopeBody.Parser.ParseFrom(after.Body).PrevHash.Span.SequenceEqual(hash))
        {
            return $"{DivergenceKinds.ChainMismatchReason}: seq {seq + 1} held here names a different predecessor";
        }
        return null;
    }

    private (long Seq, byte[] Hash) InboundTop(SqliteConnection db, string peerId)
    {
        if (_inboundTops.TryGetValue(peerId, out var top))
        {
            return top;
        }
        using var command = db.Command(
            """
            SELECT seq, hash FROM envelopes WHERE peer_id = $p AND direction = 1
            UNION ALL SELECT seq, hash FROM refused_envelopes WHERE peer_id = $p
            ORDER BY seq DESC LIMIT 1
            """, ("$p", peerId));
        using var r = command.ExecuteReader();
        top = r.Read() ? (r.GetInt64(0), (byte[])r[1]) : (0L, []);
        _inboundTops[peerId] = top;
        return top;
    }

    /// <summary>An inbound entry was just written (in the open transaction; a rollback forgets the cache).</summary>
    private void Held(string peerId, long seq, byte[] hash)
    {
        if (_inboundTops.TryGetValue(peerId, out var top) && seq > top.Seq)
        {
            _inboundTops[peerId] = (seq, hash);
        }
    }

    private (byte[] Hash, byte[] Body, bool Refused)? HeldInbound(SqliteConnection db, string peerId, long seq)
    {
        if (_heldInbound is null)
        {
            _heldInbound = db.CreateCommand();
            _heldInbound.CommandText = """
                SELECT hash, body, 0 FROM envelopes WHERE peer_id = $p AND direction = 1 AND seq = $s
                UNION ALL SELECT hash, body, 1 FROM refused_envelopes WHERE peer_id = $p AND seq = $s
                LIMIT 1
                """;
            _heldInbound.Parameters.Add(new SqliteParameter { ParameterName = "$p" });
            _heldInbound.Parameters.Add(new SqliteParameter { ParameterName = "$s" });
            _heldInbound.Prepare();
        }
        _heldInbound.Parameters[0].Value = peerId;
        _heldInbound.Parameters[1].Value = seq;
        using var r = _heldInbound.ExecuteReader();
        return r.Read() ? ((byte[])r[0], (byte[])r[1], r.GetInt32(2) == 1) : null;
    }

    public Task<IReadOnlyList<(long Seq, string Reason)>> KeepRefusedAsync(string peerId, IReadOnlyList<RefusedEntry> refused, CancellationToken ct = default) =>
        _queue.Enqueue<IReadOnlyList<(long, string)>>(db =>
        {
            var broken = new List<(long, string)>();
            foreach (var e in refused)
            {
                if (HeldInbound(db, peerId, e.Seq) is { } held)
                {
                    if (!held.Hash.AsSpan().SequenceEqual(e.Hash))
                    {
                        broken.Add((e.Seq, "a different envelope is held at this sequence number"));
                    }
                    continue;
                }
                if (ChainConflict(db, peerId, e.Seq, e.Hash, e.PrevHash) is { } conflict)
                {
                    broken.Add((e.Seq, conflict));
                    continue;
                }
                db.Execute(
                    """
                    INSERT INTO refused_envelopes(peer_id, seq, body, signature, hash, reason, received_ms)
                    VALUES($p, $s, $b, $sig, $h, $r, $t)
                    """,
                    ("$p", peerId), ("$s", e.Seq), ("$b", e.Body), ("$sig", e.Signature), ("$h", e.Hash), ("$r", e.Reason),
                    ("$t", Now().ToUnixTimeMilliseconds()));
                Held(peerId, e.Seq, e.Hash);
            }
            return broken;
        }, ct);

    public long MaxSeq(string peerId, Direction direction)
    {
        using var db = Open();
        var max = db.Scalar<long>("SELECT coalesce(max(seq), 0) FROM envelopes WHERE peer_id = $p AND direction = $d",
            ("$p", peerId), ("$d", (int)direction));
        return direction == Direction.Outbound
            ? max
            : Math.Max(max, db.Scalar<long>("SELECT coalesce(max(seq), 0) FROM refused_envelopes WHERE peer_id = $p", ("$p", peerId)));
    }

    public long SettledOutboundPrefix(string peerId)
    {
        using var db = Open();
        var first = db.Scalar<long>(
            $"SELECT coalesce(min(seq), 0) FROM {Pending}", ("$p", peerId));
        return first > 0
            ? first - 1
            : db.Scalar<long>("SELECT coalesce(max(seq), 0) FROM envelopes WHERE peer_id = $p AND direction = 0", ("$p", peerId));
    }

    public long HeldInboundPrefix(string peerId, long known = 0)
    {
        if (HeldInboundByCount(peerId, known) is { } counted)
        {
            return counted;
        }
        var prefix = known;
        ForEachSeq(
            """
            SELECT seq FROM envelopes WHERE peer_id = $p AND direction = 1 AND seq BETWEEN $a AND $b
            UNION ALL SELECT seq FROM refused_envelopes WHERE peer_id = $p AND seq BETWEEN $a AND $b
            ORDER BY seq LIMIT $n
            """, peerId, known + 1, long.MaxValue, r =>
            {
                var seq = r.GetInt64(0);
                if (seq > prefix + 1)
                {
                    return false; // the first gap
                }
                // The same seq in both tables (a refused entry kept beside an accepted one) counts once.
                prefix = Math.Max(prefix, seq);
                return true;
            });
        return prefix;
    }

    /// <summary>
    /// The held prefix when the counts alone tell it: no refused entry past <paramref name="known"/>
    /// and as many accepted ones past it as seqs up to the last (seqs are unique), so no gap. Counted
    /// in SQLite, not read row by row: a node started with 700,000 entries past its last checkpoint
    /// took a second of a core to read their seqs one by one. Null when there is a gap or a refused
    /// entry to merge (then the rows are read).
    /// </summary>
    private long? HeldInboundByCount(string peerId, long known)
    {
        using var db = Open();
        using var command = db.Command(
            """
            SELECT (SELECT count(*) FROM envelopes WHERE peer_id = $p AND direction = 1 AND seq > $k),
                   (SELECT coalesce(max(seq), 0) FROM envelopes WHERE peer_id = $p AND direction = 1),
                   (SELECT count(*) FROM refused_envelopes WHERE peer_id = $p AND seq > $k)
            """, ("$p", peerId), ("$k", known));
        using var r = command.ExecuteReader();
        r.Read();
        var (accepted, last, refused) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));
        return refused > 0 ? null
            : accepted == 0 ? known
            : last - known == accepted ? last
            : null;
    }

    /// <summary>Rows read per query by <see cref="ForEachSeq"/>.</summary>
    internal const int EntryHashChunk = 4096;

    public void ForEachEntryHash(string peerId, Direction direction, long first, long last, Func<long, byte[], bool> visit) =>
        ForEachSeq(direction == Direction.Outbound
            ? "SELECT seq, hash FROM envelopes WHERE peer_id = $p AND direction = 0 AND seq BETWEEN $a AND $b ORDER BY seq LIMIT $n"
            : """
              SELECT seq, hash FROM envelopes WHERE peer_id = $p AND direction = 1 AND seq BETWEEN $a AND $b
              UNION ALL SELECT seq, hash FROM refused_envelopes WHERE peer_id = $p AND seq BETWEEN $a AND $b
              ORDER BY seq LIMIT $n
              """, peerId, first, last, r => visit(r.GetInt64(0), (byte[])r[1]));

    /// <summary>
    /// Runs <paramref name="sql"/> (rows by seq, the first column, in $a..$b, at most $n of them) page
    /// after page, each going on from the last seq seen, handing each row to <paramref name="row"/>
    /// until it returns false or the rows end.
    /// </summary>
    /// <remarks>
    /// A page a query: one statement over a whole direction held its snapshot of the database for as
    /// long as the caller took (a second or more for the 300,000 entries a checkpoint covers in a
    /// flood), and while a reader holds a snapshot the write-ahead log cannot restart: it grew to
    /// 100 MB, and the checkpoint that then copied it all back stalled the writer's commits.
    /// </remarks>
    private void ForEachSeq(string sql, string peerId, long first, long last, Func<SqliteDataReader, bool> row)
    {
        using var db = Open();
        for (var from = first; from <= last;)
        {
            var rows = 0;
            var seq = from;
            using (var command = db.Command(sql, ("$p", peerId), ("$a", from), ("$b", last), ("$n", EntryHashChunk)))
            using (var r = command.ExecuteReader())
            {
                while (r.Read())
                {
                    rows++;
                    seq = r.GetInt64(0);
                    if (!row(r))
                    {
                        return;
                    }
                }
            }
            if (rows < EntryHashChunk || seq == long.MaxValue)
            {
                return;
            }
            from = seq + 1;
        }
    }

    public Task<StoredCheckpoint> StoreCheckpointAsync(string peerId, byte[] body, byte[] signatureA, byte[] signatureB, DateTimeOffset created,
        CancellationToken ct = default) =>
        _queue.Enqueue(db =>
        {
            var now = Now();
            db.Execute(
                """
                INSERT INTO checkpoints(peer_id, body, signature_a, signature_b, created_ms, stored_ms) VALUES($p, $b, $sa, $sb, $c, $t)
                ON CONFLICT(peer_id, body) DO NOTHING
                """,
                ("$p", peerId), ("$b", body), ("$sa", signatureA), ("$sb", signatureB), ("$c", created.ToUnixTimeMilliseconds()),
                ("$t", now.ToUnixTimeMilliseconds()));
            return ReadCheckpoints(db, "WHERE peer_id = $p AND body = $b", 1, ("$p", peerId), ("$b", body)).Single();
        }, ct);

    public StoredCheckpoint? LatestCheckpoint(string peerId)
    {
        using var db = Open();
        return ReadCheckpoints(db, "WHERE peer_id = $p", 1, ("$p", peerId)).FirstOrDefault();
    }

    public Task KeepFrontiersAsync(string peerId, IReadOnlyList<(Direction Direction, StoredFrontier Frontier)> frontiers, CancellationToken ct = default) =>
        _queue.Enqueue(db =>
        {
            foreach (var (direction, frontier) in frontiers)
            {
                db.Execute(
                    """
                    INSERT INTO transcript_frontiers(peer_id, direction, count, head, hashes) VALUES($p, $d, $n, $h, $f)
                    ON CONFLICT(peer_id, direction) DO UPDATE SET count = excluded.count, head = excluded.head, hashes = excluded.hashes
                    WHERE excluded.count > transcript_frontiers.count
                    """,
                    ("$p", peerId), ("$d", (int)direction), ("$n", frontier.Count), ("$h", frontier.Head), ("$f", frontier.Hashes));
            }
            return frontiers.Count;
        }, ct);

    public IReadOnlyList<(Direction Direction, StoredFrontier Frontier)> KeptFrontiers(string peerId)
    {
        using var db = Open();
        using var command = db.Command("SELECT direction, count, head, hashes FROM transcript_frontiers WHERE peer_id = $p", ("$p", peerId));
        using var r = command.ExecuteReader();
        var kept = new List<(Direction, StoredFrontier)>();
        while (r.Read())
        {
            kept.Add(((Direction)r.GetInt32(0), new StoredFrontier(r.GetInt64(1), (byte[])r[2], (byte[])r[3])));
        }
        return kept;
    }

    public IReadOnlyList<StoredCheckpoint> ListCheckpoints(string peerId, int limit = 100)
    {
        using var db = Open();
        return ReadCheckpoints(db, "WHERE peer_id = $p", limit, ("$p", peerId));
    }

    private static List<StoredCheckpoint> ReadCheckpoints(SqliteConnection db, string where, int limit, params (string, object?)[] args)
    {
        using var command = db.Command(
            $"SELECT checkpoint_id, peer_id, body, signature_a, signature_b, created_ms, stored_ms FROM checkpoints {where} ORDER BY checkpoint_id DESC LIMIT {limit}",
            args);
        using var r = command.ExecuteReader();
        var list = new List<StoredCheckpoint>();
        while (r.Read())
        {
            list.Add(new StoredCheckpoint
            {
                Id = r.GetInt64(0),
                PeerId = r.GetString(1),
                Body = (byte[])r[2],
                SignatureA = (byte[])r[3],
                SignatureB = (byte[])r[4],
                Created = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
                StoredAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)),
            });
        }
        return list;
    }

    public Task<Divergence> RecordDivergenceAsync(Divergence divergence, CancellationToken ct = default) =>
        _queue.Enqueue(db =>
        {
            var id = db.Scalar<long>(
                """
                INSERT INTO divergences(peer_id, at_ms, kind, direction, seq, detail, evidence_body, evidence_signature)
                VALUES($p, $t, $k, $d, $s, $detail, $b, $sig) RETURNING divergence_id
                """,
                ("$p", divergence.PeerId), ("$t", divergence.At.ToUnixTimeMilliseconds()), ("$k", divergence.Kind),
                ("$d", (int?)divergence.Direction), ("$s", divergence.Seq), ("$detail", divergence.Detail),
                ("$b", divergence.EvidenceBody), ("$sig", divergence.EvidenceSignature));
            return divergence with { Id = id };
        }, ct);

    public IReadOnlyList<Divergence> ListDivergences(string peerId, int limit = 100)
    {
        using var db = Open();
        using var command = db.Command(
            """
            SELECT divergence_id, peer_id, at_ms, kind, direction, seq, detail, evidence_body, evidence_signature
            FROM divergences WHERE peer_id = $p ORDER BY divergence_id DESC LIMIT $l
            """, ("$p", peerId), ("$l", limit));
        using var r = command.ExecuteReader();
        var list = new List<Divergence>();
        while (r.Read())
        {
            list.Add(new Divergence
            {
                Id = r.GetInt64(0),
                PeerId = r.GetString(1),
                At = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)),
                Kind = r.GetString(3),
                Direction = r.IsDBNull(4) ? null : (Direction)r.GetInt32(4),
                Seq = r.IsDBNull(5) ? null : r.GetInt64(5),
                Detail = r.GetString(6),
                EvidenceBody = r.IsDBNull(7) ? null : (byte[])r[7],
                EvidenceSignature = r.IsDBNull(8) ? null : (byte[])r[8],
            });
        }
        return list;
    }
}
