using System.Collections.Concurrent;
using System.Text.Json;
using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Core.Messages;
using Hotline.Protocol;
using Microsoft.Data.Sqlite;

namespace Hotline.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with <c>synchronous=FULL</c>, so a commit has
/// reached the disk when it returns. One writer connection behind a group-commit queue; readers
/// use pooled connections of their own.
/// </summary>
public sealed partial class SqliteStore : IHotlineStore
{
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly WriteQueue _queue;
    private readonly NodeIdentity _identity;
    private readonly TimeProvider _time;
    // Touched only on the writer thread: the last outbound (seq, hash) per peer.
    private readonly Dictionary<string, (long Seq, byte[] Hash)> _heads = [];
    // Writer thread only: hot statements, parsed once (see Prepared).
    private readonly Dictionary<string, SqliteCommand> _prepared = [];
    private HotStatement? _insertEnvelope, _signEnvelope, _insertReceipt;
    // Writer thread only: envelopes appended in the open transaction, signed just before it commits.
    private readonly List<(long Pos, Envelope Envelope)> _unsigned = [];
    // Per peer: its inbound rows counted up to a row position (see Counts).
    private readonly ConcurrentDictionary<string, (long Pos, long Count)> _inboundCounted = new();

    /// <summary>The most a write-ahead log keeps on disk once it restarts: 16 MiB.</summary>
    public const long JournalSizeLimit = 16L << 20;

    private SqliteStore(string path, NodeIdentity identity, TimeProvider time)
    {
        _identity = identity;
        _time = time;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _writer = Open();
        _writer.Execute("PRAGMA journal_mode=WAL");
        // A reader's snapshot keeps the log from restarting, so a flood can grow it to a hundred MB or
        // more; without a limit the file keeps that size for good. With it, the first restart after
        // a checkpoint cuts the file back.
        _writer.Execute($"PRAGMA journal_size_limit={JournalSizeLimit}");
        var version = _writer.Scalar<long>("PRAGMA user_version");
        _writer.Execute(Schema.Create);
        Schema.Migrate(_writer, version);
        _writer.Execute(TranscriptSchema.Create);
        _writer.Execute(SupervisionSchema.Create);
        _writer.Execute($"PRAGMA user_version={Schema.Version}");
        _queue = new WriteQueue(_writer, SignAppended, () =>
        {
            _heads.Clear();
            _inboundTops.Clear();
            _unsigned.Clear();
        });
    }

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>.</summary>
    public static SqliteStore Open(string path, NodeIdentity identity, TimeProvider? time = null) =>
        new(path, identity, time ?? TimeProvider.System);

    private SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        c.Execute("PRAGMA synchronous=FULL");
        c.Execute("PRAGMA foreign_keys=ON");
        return c;
    }

    public Task<StoredMessage> AppendOutboundAsync(PeerRecord peer, EnvelopeDraft draft, Action<StoredMessage>? committed = null, CancellationToken ct = default,
        bool inline = true) =>
        _queue.Enqueue(db => Append(db, peer, draft, Now()), ct, committed, inline, urgent: draft.Precedence.IsUrgent());

    /// <remarks>
    /// One operation of the writer, so an urgent envelope queued meanwhile waits for all of it: callers
    /// keep the lists short (the operator API takes at most 100). The list goes in the urgent lane
    /// only when every envelope of it is urgent. Its whole signature batches (<see cref="EnvelopeSignature.MaxBatch"/>
    /// envelopes) are signed here, before they are inserted (one UPDATE less each); the rest are
    /// signed with the transaction's other appends, so that they fill a batch rather than take one alone.
    /// </remarks>
    public Task<IReadOnlyList<StoredMessage>> AppendOutboundAsync(IReadOnlyList<(PeerRecord Peer, EnvelopeDraft Draft)> drafts,
        Action<StoredMessage>? committed = null, CancellationToken ct = default) =>
        _queue.Enqueue<IReadOnlyList<StoredMessage>>(db =>
        {
            var now = Now();
            var envelopes = drafts.Select(d => Next(db, d.Peer, d.Draft, now)).ToList();
            var whole = envelopes.Count - envelopes.Count % EnvelopeSignature.MaxBatch;
            if (whole > 0)
            {
                EnvelopeCodec.SignBatch(_identity, envelopes[..whole]);
            }
            var stored = new List<StoredMessage>(envelopes.Count);
            for (var i = 0; i < envelopes.Count; i++)
            {
                var pos = Insert(db, drafts[i].Peer.Id, Direction.Outbound, envelopes[i], now);
                if (i >= whole)
                {
                    _unsigned.Add((pos, envelopes[i]));
                }
                stored.Add(Stored(pos, drafts[i].Peer, envelopes[i], now));
            }
            return stored;
        }, ct, committed is null ? null : all =>
        {
            foreach (var m in all)
            {
                committed(m);
            }
        }, inline: true, urgent: drafts.All(d => d.Draft.Precedence.IsUrgent()));

    /// <summary>Stored times have millisecond precision; so do the ones we hand back.</summary>
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>Appends one envelope, unsigned: it is signed with the transaction's other appends just before the commit.</summary>
    private StoredMessage Append(SqliteConnection db, PeerRecord peer, EnvelopeDraft draft, DateTimeOffset now)
    {
        var envelope = Next(db, peer, draft, now);
        var pos = Insert(db, peer.Id, Direction.Outbound, envelope, now);
        _unsigned.Add((pos, envelope));
        return Stored(pos, peer, envelope, now);
    }

    /// <summary>Numbers and chains the peer's next outbound envelope.</summary>
    private Envelope Next(SqliteConnection db, PeerRecord peer, EnvelopeDraft draft, DateTimeOffset now)
    {
        var (lastSeq, lastHash) = Head(db, peer.Id);
        var envelope = EnvelopeCodec.Build(_identity.PublicKey, peer.Key, draft, lastSeq + 1, lastHash, now);
        _heads[peer.Id] = (envelope.Seq, envelope.Hash);
        return envelope;
    }

    private static StoredMessage Stored(long pos, PeerRecord peer, Envelope envelope, DateTimeOffset now) => new()
    {
        Position = pos,
        PeerId = peer.Id,
        Direction = Direction.Outbound,
        Envelope = envelope,
        CommittedAt = now,
    };

    public Task<ResponseResult> RespondAsync(PeerRecord peer, Guid messageId, EnvelopeKind kind, string actor, string? reply,
        Action<StoredMessage>? committed = null, CancellationToken ct = default) =>
        _queue.Enqueue(db =>
        {
            var original = QueryOn(db, $"SELECT {MessageColumns} FROM envelopes WHERE id = $id AND direction = 1 AND peer_id = $p AND kind = 1",
                ("$id", Uuid7.ToBytes(messageId)), ("$p", peer.Id)).FirstOrDefault();
            if (original is null)
            {
                return new ResponseResult(null, null, $"no message {messageId} received from {peer.Name}");
            }
            if (kind == EnvelopeKind.Seen && original.SeenAt is not null)
            {
                return new ResponseResult(null, original, null);
            }
            if (kind == EnvelopeKind.Acknowledgement && original.AcknowledgedAt is not null)
            {
                return new ResponseResult(null, original,
                    $"already acknowledged by {original.AcknowledgedBy} at {Dtg.Format(original.AcknowledgedAt.Value)}");
            }
            var now = Now();
            var response = Append(db, peer, new EnvelopeDraft
            {
                Kind = kind,
                Channel = original.Envelope.Channel,
                Precedence = original.Envelope.Precedence,
                Label = original.Envelope.Label,
                Text = reply ?? "",
                Reference = messageId,
                Actor = actor,
            }, now);
            var ms = now.ToUnixTimeMilliseconds();
            db.Execute("UPDATE envelopes SET seen_ms = coalesce(seen_ms, $t), seen_by = coalesce(seen_by, $by) WHERE pos = $pos",
                ("$t", ms), ("$by", actor), ("$pos", original.Position));
            if (kind == EnvelopeKind.Acknowledgement)
            {
                db.Execute("UPDATE envelopes SET acked_ms = $t, acked_by = $by, ack_reply = $r WHERE pos = $pos",
                    ("$t", ms), ("$by", actor), ("$r", reply), ("$pos", original.Position));
                ClearAlarms(db, messageId, actor, now);
            }
            var updated = QueryOn(db, $"SELECT {MessageColumns} FROM envelopes WHERE pos = $pos", ("$pos", original.Position)).Single();
            return new ResponseResult(response, updated, null);
        }, ct, r =>
        {
            if (r.Response is not null)
            {
                committed?.Invoke(r.Response);
            }
        });

    public Task<InboundCommit> CommitInboundAsync(string peerId, IReadOnlyList<Envelope> envelopes, CancellationToken ct = default) =>
        CommitInboundAsync(peerId, envelopes, null, ct);

    /// <remarks>
    /// A large batch is queued as several operations of at most <see cref="InboundChunk"/> envelopes:
    /// urgent work can then join the transaction between two of them (see <see cref="WriteQueue"/>).
    /// Each part is whole; the caller receipts nothing before all are committed, and envelopes of a
    /// part committed before a crash are replays when the peer sends the batch again.
    /// </remarks>
    public async Task<InboundCommit> CommitInboundAsync(string peerId, IReadOnlyList<Envelope> envelopes, LinkPath? path, CancellationToken ct = default, bool inline = false)
    {
        var urgent = envelopes.All(e => e.Precedence.IsUrgent());
        var parts = await Task.WhenAll(_queue.EnqueueAll(
            envelopes.Chunk(InboundChunk).Select(part => (Func<SqliteConnection, InboundCommit>)(db => CommitInbound(db, peerId, part, path))), ct, urgent, inline));
        return parts.Length == 1 ? parts[0]
            : new InboundCommit([.. parts.SelectMany(p => p.New)], [.. parts.SelectMany(p => p.Committed)],
                [.. parts.SelectMany(p => p.States)], [.. parts.SelectMany(p => p.Conflicts)]);
    }

    private const int InboundChunk = 32;

    /// <summary>
    /// One part of an inbound batch, on the writer. Only a batch of urgent envelopes alone (senders
    /// send them in batches of their own) goes ahead of queued work: a routine envelope must never
    /// overtake an earlier one of its precedence.
    /// </summary>
    private InboundCommit CommitInbound(SqliteConnection db, string peerId, IReadOnlyList<Envelope> envelopes, LinkPath? path)
    {
        var now = Now();
        var fresh = new List<StoredMessage>();
        var committed = new List<long>(envelopes.Count);
        List<StateChange>? states = null;
        List<(long, string)>? conflicts = null;
        foreach (var e in envelopes)
        {
            if (ChainConflict(db, peerId, e.Seq, e.Hash, e.PrevHash) is { } broken)
            {
                (conflicts ??= []).Add((e.Seq, broken));
                continue;
            }
            var pos = Insert(db, peerId, Direction.Inbound, e, now, path);
            if (pos <= 0)
            {
                // A replay of what we hold is committed already; anything else under a known
                // sequence number or id is a conflicting envelope, refused.
                var held = Prepared(db, "SELECT hash FROM envelopes WHERE peer_id = $p AND direction = 1 AND seq = $s", ("$p", peerId), ("$s", e.Seq))
                    .ExecuteScalar() as byte[];
                if (held is not null && held.AsSpan().SequenceEqual(e.Hash))
                {
                    committed.Add(e.Seq);
                }
                else
                {
                    (conflicts ??= []).Add((e.Seq, held is null ? "envelope id already used by another envelope" : "a different envelope is held at this sequence number"));
                }
                continue;
            }
            committed.Add(e.Seq);
            Held(peerId, e.Seq, e.Hash);
            if (e.Kind is EnvelopeKind.Seen or EnvelopeKind.Acknowledgement && e.Reference is { } reference)
            {
                if (ApplyResponse(db, peerId, e, reference) is { } change)
                {
                    (states ??= []).Add(change);
                }
                continue;
            }
            fresh.Add(new StoredMessage
            {
                Position = pos,
                PeerId = peerId,
                Direction = Direction.Inbound,
                Envelope = e,
                CommittedAt = now,
                DeliveredAt = now,
            });
        }
        return new InboundCommit(fresh, committed, states ?? [], conflicts ?? []);
    }

    /// <summary>The peer reports one of our messages seen or acknowledged: record it on that message.</summary>
    private static StateChange? ApplyResponse(SqliteConnection db, string peerId, Envelope e, Guid reference)
    {
        var at = e.Created.ToUnixTimeMilliseconds();
        var args = new (string, object?)[] { ("$t", at), ("$by", e.Actor ?? "?"), ("$r", e.Text.Length > 0 ? e.Text : null), ("$id", Uuid7.ToBytes(reference)), ("$p", peerId) };
        var seen = db.Execute(
            "UPDATE envelopes SET seen_ms = $t, seen_by = $by WHERE id = $id AND direction = 0 AND peer_id = $p AND seen_ms IS NULL", args);
        if (e.Kind == EnvelopeKind.Seen)
        {
            return seen > 0 ? new StateChange(reference, Direction.Outbound, peerId, "seen", e.Created, e.Actor, null) : null;
        }
        var acked = db.Execute(
            "UPDATE envelopes SET acked_ms = $t, acked_by = $by, ack_reply = $r WHERE id = $id AND direction = 0 AND peer_id = $p AND acked_ms IS NULL", args);
        if (acked == 0)
        {
            return null;
        }
        ClearAlarms(db, reference, $"{e.Actor} (peer)", e.Created);
        return new StateChange(reference, Direction.Outbound, peerId, "acknowledged", e.Created, e.Actor, e.Text.Length > 0 ? e.Text : null);
    }

    public Task<IReadOnlyList<DeliveryChange>> ApplyReceiptAsync(string peerId, SignedReceipt receipt, ReceiptBody body, CancellationToken ct = default) =>
        ApplyReceiptAsync(peerId, receipt, body, null, ct);

    /// <remarks>
    /// A receipt for many envelopes (one for a whole window after a link comes back covers a thousand)
    /// is queued as several operations of at most <see cref="ReceiptChunk"/> envelopes, the first also
    /// storing the receipt: urgent work then joins the transaction between two of them instead of
    /// waiting for all (a FLASH sent as a link came back waited 9-13 ms for one such operation;
    /// hotline bench). Envelopes whose part was not committed before a crash stay undelivered: they
    /// are sent again, and the peer receipts them again as the replays they are.
    /// </remarks>
    public async Task<IReadOnlyList<DeliveryChange>> ApplyReceiptAsync(string peerId, SignedReceipt receipt, ReceiptBody body, LinkPath? path, CancellationToken ct = default)
    {
        List<(long First, long Last, string? Rejected)> marks = [];
        foreach (var range in body.Committed)
        {
            var (first, last) = ((long)range.First, (long)range.Last);
            // A window's receipt never comes near the cap; past it, the rest of a range is one part.
            for (; first <= last && last - first >= ReceiptChunk && marks.Count < MaxReceiptParts; first += ReceiptChunk)
            {
                marks.Add((first, first + ReceiptChunk - 1, null));
            }
            if (first <= last)
            {
                marks.Add((first, last, null));
            }
        }
        marks.AddRange(body.Rejected.Select(r => ((long)r.Seq, (long)r.Seq, (string?)r.Reason)));
        // Set by the first part, which the writer runs before the others, for all of them.
        long receiptId = 0;
        var now = DateTimeOffset.MinValue;
        var parts = Parts(marks).Select((part, i) => (Func<SqliteConnection, List<DeliveryChange>>)(db =>
        {
            if (i == 0)
            {
                now = Now();
                receiptId = (_insertReceipt ??= new(db, "INSERT INTO receipts(peer_id, body, signature, received_ms) VALUES(?, ?, ?, ?)"))
                    .Bind(1, peerId).Bind(2, receipt.Body.ToByteArray()).Bind(3, receipt.Signature.ToByteArray()).Bind(4, now.ToUnixTimeMilliseconds())
                    .Insert();
            }
            else if (receiptId == 0)
            {
                throw new InvalidOperationException("the receipt itself was not stored");
            }
            var changes = new List<DeliveryChange>();
            foreach (var (first, last, rejected) in part)
            {
                Mark(db, changes, peerId, first, last, receiptId, rejected, rejected is null ? path : null, now);
            }
            return changes;
        }));
        var applied = await Task.WhenAll(_queue.EnqueueAll(parts, ct));
        return applied.Length == 1 ? applied[0] : [.. applied.SelectMany(c => c)];
    }

    private const int ReceiptChunk = 64;
    private const int MaxReceiptParts = 4096;

    /// <summary>The marks in runs of at most <see cref="ReceiptChunk"/> envelopes (a receipt with none still makes one part, which stores it).</summary>
    private static IEnumerable<List<(long First, long Last, string? Rejected)>> Parts(List<(long First, long Last, string? Rejected)> marks)
    {
        var part = new List<(long, long, string?)>();
        long count = 0;
        foreach (var mark in marks)
        {
            var size = mark.Last - mark.First + 1;
            if (part.Count > 0 && count + size > ReceiptChunk)
            {
                yield return part;
                (part, count) = ([], 0);
            }
            part.Add(mark);
            count += size;
        }
        yield return part;
    }

    /// <summary>Marks outbound envelopes delivered, on the path the receipt came by (or refused).</summary>
    private void Mark(SqliteConnection db, List<DeliveryChange> changes, string peerId, long first, long last,
        long receiptId, string? rejected, LinkPath? path, DateTimeOffset now)
    {
        var sql = rejected is null ? MarkDelivered : MarkRejected;
        using var reader = Prepared(db, sql,
            ("$t", now.ToUnixTimeMilliseconds()), ("$r", rejected), ("$rid", receiptId), ("$p", peerId), ("$a", first), ("$b", last),
            ("$pi", path?.Index), ("$pe", path?.Endpoint)).ExecuteReader();
        while (reader.Read())
        {
            changes.Add(new DeliveryChange(Uuid7.FromBytes((byte[])reader[0]), reader.GetInt64(1), reader.GetString(2), now, rejected));
        }
    }

    private const string MarkDelivered = """
        UPDATE envelopes SET delivered_ms = $t, receipt_id = $rid, path_index = $pi, path_endpoint = $pe
        WHERE peer_id = $p AND direction = 0 AND seq BETWEEN $a AND $b AND delivered_ms IS NULL AND rejected IS NULL
        RETURNING id, seq, channel
        """;

    private const string MarkRejected = """
        UPDATE envelopes SET rejected = $r, receipt_id = $rid
        WHERE peer_id = $p AND direction = 0 AND seq BETWEEN $a AND $b AND delivered_ms IS NULL AND rejected IS NULL
        RETURNING id, seq, channel
        """;

    /// <summary>A command on the writer connection, parsed once per SQL text and reused: for statements run per envelope or per receipt.</summary>
    private SqliteCommand Prepared(SqliteConnection db, string sql, params (string Name, object? Value)[] args)
    {
        if (!_prepared.TryGetValue(sql, out var command))
        {
            command = db.CreateCommand();
            command.CommandText = sql;
            _prepared[sql] = command;
        }
        command.Parameters.Clear();
        foreach (var (name, value) in args)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    private (long Seq, byte[] Hash) Head(SqliteConnection db, string peerId)
    {
        if (_heads.TryGetValue(peerId, out var head))
        {
            return head;
        }
        using var command = db.Command(
            "SELECT seq, hash FROM envelopes WHERE peer_id = $p AND direction = 0 ORDER BY seq DESC LIMIT 1", ("$p", peerId));
        using var reader = command.ExecuteReader();
        head = reader.Read() ? (reader.GetInt64(0), (byte[])reader[1]) : (0L, []);
        _heads[peerId] = head;
        return head;
    }

    public WriterStats Writer => _queue.Stats;

    /// <summary>Tests: runs <paramref name="work"/> on the writer, in the transaction of the batch it joins.</summary>
    internal Task<T> OnWriterAsync<T>(Func<SqliteConnection, T> work) => _queue.Enqueue(work, CancellationToken.None);

    /// <summary>
    /// Signs the envelopes appended in the transaction that is about to commit: up to
    /// <see cref="EnvelopeSignature.MaxBatch"/> under one signature, so a busy writer signs once per
    /// batch and a receiver checks once per batch. An envelope is never stored or sent unsigned.
    /// </summary>
    private void SignAppended(SqliteConnection db)
    {
        if (_unsigned.Count == 0)
        {
            return;
        }
        EnvelopeCodec.SignBatch(_identity, [.. _unsigned.Select(u => u.Envelope)]);
        foreach (var (pos, envelope) in _unsigned)
        {
            (_signEnvelope ??= new(db, "UPDATE envelopes SET signature = ? WHERE pos = ?")).Bind(1, envelope.Signature).Bind(2, pos).Execute();
        }
        _unsigned.Clear();
    }

    /// <summary>
    /// Inserts an envelope, with the path that carried it if it arrived; returns its position, or 0
    /// when (peer, direction, seq) is already held.
    /// </summary>
    private long Insert(SqliteConnection db, string peerId, Direction direction, Envelope e, DateTimeOffset now, LinkPath? path = null) =>
        (_insertEnvelope ??= new(db, """
            INSERT INTO envelopes(peer_id, direction, seq, id, kind, channel, precedence, created_ms, committed_ms,
                                  body, signature, hash, delivered_ms, label, reference, path_index, path_endpoint)
            VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """))
            .Bind(1, peerId).Bind(2, (int)direction).Bind(3, e.Seq).Bind(4, Uuid7.ToBytes(e.Id)).Bind(5, (int)e.Kind)
            .Bind(6, e.Channel).Bind(7, (int)e.Precedence).Bind(8, e.Created.ToUnixTimeMilliseconds()).Bind(9, now.ToUnixTimeMilliseconds())
            .Bind(10, e.Body).Bind(11, e.Signature).Bind(12, e.Hash)
            .Bind(13, direction == Direction.Inbound ? now.ToUnixTimeMilliseconds() : null)
            .Bind(14, e.Label?.ToString()).Bind(15, e.Reference is { } r ? Uuid7.ToBytes(r) : null)
            .Bind(16, path?.Index).Bind(17, path?.Endpoint)
            .Insert();

    private const string MessageColumns =
        "pos, peer_id, direction, committed_ms, delivered_ms, rejected, body, signature, seen_ms, seen_by, acked_ms, acked_by, ack_reply";

    /// <summary>
    /// A peer's outbound envelopes not yet receipted ($p), read through the outbox index. Without
    /// INDEXED BY, SQLite picks the (peer_id, direction, seq) key, which has two equalities to the
    /// outbox index's one, and reads every outbound row of the peer, delivered or not: 18 MB a call at
    /// 200,000 envelopes, 0.7-0.9 s at a million, once a second for the checkpoint check.
    /// </summary>
    internal const string Pending = "envelopes INDEXED BY envelopes_outbox WHERE peer_id = $p AND direction = 0 AND delivered_ms IS NULL AND rejected IS NULL";

    public IReadOnlyList<StoredMessage> LoadUndelivered(string peerId) => Query(
        $"SELECT {MessageColumns} FROM {Pending} ORDER BY seq",
        ("$p", peerId));

    public IReadOnlyList<OutboxEntry> LoadOutbox(string peerId)
    {
        using var db = Open();
        using var command = db.Command(
            $"SELECT seq, precedence, length(body) FROM {Pending} ORDER BY seq",
            ("$p", peerId));
        using var r = command.ExecuteReader();
        var list = new List<OutboxEntry>();
        while (r.Read())
        {
            list.Add(new OutboxEntry(r.GetInt64(0), (Precedence)r.GetInt32(1), r.GetInt32(2)));
        }
        return list;
    }

    public IReadOnlyDictionary<long, WireEnvelope> LoadWire(string peerId, IReadOnlyList<long> seqs)
    {
        var wanted = seqs.ToHashSet();
        var found = new Dictionary<long, WireEnvelope>(wanted.Count);
        if (wanted.Count == 0)
        {
            return found;
        }
        using var db = Open();
        // One range scan of the (peer, direction, seq) index: a batch is mostly consecutive.
        using var command = db.Command(
            "SELECT seq, body, signature FROM envelopes WHERE peer_id = $p AND direction = 0 AND seq BETWEEN $a AND $b",
            ("$p", peerId), ("$a", wanted.Min()), ("$b", wanted.Max()));
        using var r = command.ExecuteReader();
        while (r.Read())
        {
            var seq = r.GetInt64(0);
            if (wanted.Contains(seq))
            {
                found[seq] = new WireEnvelope(seq, (byte[])r[1], (byte[])r[2]);
            }
        }
        return found;
    }

    public IReadOnlyList<StoredMessage> ListMessages(MessageQuery query) => Query(
        $"""
        SELECT {MessageColumns} FROM envelopes
        WHERE pos > $after AND ($peer IS NULL OR peer_id = $peer) AND ($channel IS NULL OR channel = $channel)
          AND ($all = 1 OR kind = 1) AND ($dir IS NULL OR direction = $dir)
        ORDER BY pos LIMIT $limit
        """,
        ("$after", query.After), ("$peer", query.PeerId), ("$channel", query.Channel), ("$limit", Math.Clamp(query.Limit, 1, 10_000)),
        ("$all", query.IncludeResponses ? 1 : 0), ("$dir", (int?)query.Direction));

    /// <remarks>
    /// Through the index of open messages (direction, precedence, created), so a FLASH behind a
    /// hundred thousand unanswered ROUTINE messages is one short read away, and the answer costs
    /// the same however many messages the node holds.
    /// </remarks>
    public IReadOnlyList<StoredMessage> ListOpen(Direction direction, Precedence precedence, int limit) => Query(
        $"""
        SELECT {MessageColumns} FROM envelopes INDEXED BY envelopes_open
        WHERE kind = 1 AND acked_ms IS NULL AND rejected IS NULL AND direction = $dir AND precedence = $pr
        ORDER BY created_ms, pos LIMIT $limit
        """,
        ("$dir", (int)direction), ("$pr", (int)precedence), ("$limit", Math.Clamp(limit, 1, 10_000)));

    public StoredMessage? FindMessage(Guid id, Direction? direction = null) => Query(
        $"SELECT {MessageColumns} FROM envelopes WHERE id = $id AND ($dir IS NULL OR direction = $dir) ORDER BY direction LIMIT 1",
        ("$id", Uuid7.ToBytes(id)), ("$dir", (int?)direction)).FirstOrDefault();

    private List<StoredMessage> Query(string sql, params (string, object?)[] args)
    {
        using var db = Open();
        return QueryOn(db, sql, args);
    }

    private static List<StoredMessage> QueryOn(SqliteConnection db, string sql, params (string, object?)[] args)
    {
        using var command = db.Command(sql, args);
        using var r = command.ExecuteReader();
        var list = new List<StoredMessage>();
        while (r.Read())
        {
            list.Add(new StoredMessage
            {
                Position = r.GetInt64(0),
                PeerId = r.GetString(1),
                Direction = (Direction)r.GetInt32(2),
                CommittedAt = Time(r, 3)!.Value,
                DeliveredAt = Time(r, 4),
                Rejected = r.IsDBNull(5) ? null : r.GetString(5),
                Envelope = EnvelopeCodec.DecodeTrusted((byte[])r[6], (byte[])r[7]),
                SeenAt = Time(r, 8),
                SeenBy = r.IsDBNull(9) ? null : r.GetString(9),
                AcknowledgedAt = Time(r, 10),
                AcknowledgedBy = r.IsDBNull(11) ? null : r.GetString(11),
                Reply = r.IsDBNull(12) ? null : r.GetString(12),
            });
        }
        return list;
    }

    private static DateTimeOffset? Time(SqliteDataReader r, int i) =>
        r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));

    public Task AddPeerAsync(PeerRecord peer, CancellationToken ct = default) =>
        _queue.Enqueue(db => db.Execute(
            """
            INSERT INTO peers(peer_id, name, identity_key, tls_sha256, endpoints, channels, card, labels, settings, added_ms)
            VALUES($id, $n, $k, $t, $e, $c, $card, $l, $s, $at)
            ON CONFLICT(peer_id) DO UPDATE SET name = $n, tls_sha256 = $t, endpoints = $e, channels = $c, card = $card, labels = $l
            """,
            ("$id", peer.Id), ("$n", peer.Name), ("$k", peer.Key.ToArray()), ("$t", peer.TlsSha256),
            ("$e", JsonArray(peer.Endpoints)), ("$c", JsonArray(peer.Channels)),
            ("$card", peer.CardJson), ("$l", JsonArray([.. peer.Labels.Select(l => l.ToString())])),
            ("$s", JsonSerializer.Serialize(peer.Settings, PeerRowJson.Default.PeerSettings)), ("$at", peer.AddedAt.ToUnixTimeMilliseconds())), ct);

    public Task UpdatePeerSettingsAsync(string peerId, PeerSettings settings, CancellationToken ct = default) =>
        _queue.Enqueue(db => db.Execute("UPDATE peers SET settings = $s WHERE peer_id = $id",
            ("$s", JsonSerializer.Serialize(settings, PeerRowJson.Default.PeerSettings)), ("$id", peerId)), ct);

    private static string JsonArray(IReadOnlyList<string> values) => JsonSerializer.Serialize([.. values], PeerRowJson.Default.StringArray);

    private static string[] FromJsonArray(string json) => JsonSerializer.Deserialize(json, PeerRowJson.Default.StringArray) ?? [];

    public IReadOnlyList<PeerRecord> ListPeers()
    {
        using var db = Open();
        using var command = db.Command("SELECT identity_key, name, tls_sha256, endpoints, channels, card, added_ms, labels, settings FROM peers ORDER BY added_ms");
        using var r = command.ExecuteReader();
        var list = new List<PeerRecord>();
        while (r.Read())
        {
            list.Add(new PeerRecord
            {
                Key = NodeKey.FromBytes((byte[])r[0]),
                Name = r.GetString(1),
                TlsSha256 = r.GetString(2),
                Endpoints = FromJsonArray(r.GetString(3)),
                Channels = FromJsonArray(r.GetString(4)),
                CardJson = r.GetString(5),
                AddedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)),
                Labels = FromJsonArray(r.GetString(7))
                    .Select(l => Label.TryParse(l, out var x) ? x! : throw new InvalidDataException($"bad label '{l}' in peers table")).ToArray(),
                Settings = JsonSerializer.Deserialize(r.GetString(8), PeerRowJson.Default.PeerSettings) ?? new(),
            });
        }
        return list;
    }

    public Task RecordSecurityEventAsync(string kind, string detail, CancellationToken ct = default) =>
        _queue.Enqueue(db => db.Execute(
            "INSERT INTO security_events(at_ms, kind, detail) VALUES($t, $k, $d)",
            ("$t", _time.GetUtcNow().ToUnixTimeMilliseconds()), ("$k", kind), ("$d", detail)), ct);

    public IReadOnlyList<SecurityEvent> ListSecurityEvents(int limit = 100)
    {
        using var db = Open();
        using var command = db.Command("SELECT event_id, at_ms, kind, detail FROM security_events ORDER BY event_id DESC LIMIT $l", ("$l", limit));
        using var r = command.ExecuteReader();
        var list = new List<SecurityEvent>();
        while (r.Read())
        {
            list.Add(new SecurityEvent(r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetString(2), r.GetString(3)));
        }
        return list;
    }

    /// <summary>A peer's inbound rows at positions $after+1..$top, found by position: through the peer's key SQLite would walk all its rows.</summary>
    internal const string InboundBetween = "SELECT count(*) FROM envelopes NOT INDEXED WHERE pos > $after AND pos <= $top AND peer_id = $p AND direction = 1";

    /// <remarks>
    /// Asked by the console's board after every burst of events and by the status API, so nothing
    /// here reads a peer's whole history: our envelopes are numbered 1..n without gaps (the count is
    /// the last seq), the undelivered ones are read through the outbox index, and the peer's held
    /// envelopes (out of order at times, so not their last seq) are counted once and then only past
    /// the row position counted last time (rows are never deleted, and a committed row always
    /// follows every row committed before it).
    /// </remarks>
    public StoreCounts Counts(string peerId)
    {
        using var db = Open();
        db.Execute("BEGIN");
        try
        {
            var outbound = db.Scalar<long>("SELECT coalesce(max(seq), 0) FROM envelopes WHERE peer_id = $p AND direction = 0", ("$p", peerId));
            var undelivered = db.Scalar<long>($"SELECT count(*) FROM {Pending}", ("$p", peerId));
            var top = db.Scalar<long>("SELECT coalesce(max(pos), 0) FROM envelopes");
            var counted = _inboundCounted.GetValueOrDefault(peerId);
            var inbound = counted.Pos == 0
                ? db.Scalar<long>("SELECT count(*) FROM envelopes WHERE peer_id = $p AND direction = 1 AND pos <= $top", ("$p", peerId), ("$top", top))
                : counted.Count + db.Scalar<long>(InboundBetween, ("$after", counted.Pos), ("$top", top), ("$p", peerId));
            _inboundCounted.AddOrUpdate(peerId, (top, inbound), (_, old) => old.Pos >= top ? old : (top, inbound));
            return new StoreCounts(outbound, undelivered, inbound);
        }
        finally
        {
            db.Execute("COMMIT");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync();
        foreach (var statement in new[] { _insertEnvelope, _signEnvelope, _insertReceipt })
        {
            statement?.Dispose();
        }
        _heldInbound?.Dispose();
        foreach (var command in _prepared.Values)
        {
            command.Dispose();
        }
        await _writer.DisposeAsync();
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }
}
