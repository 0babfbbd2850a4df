using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Core.Pairing;
using Hotline.Core.Transcript;
using Hotline.Protocol;

namespace Hotline.Storage.Transcript;

/// <summary>
/// Checks a node's store against the signatures in it (docs/security.md, "Checking the record"):
/// every envelope's signature, every column that repeats a signed field, every chain link, every
/// receipt and co-signed checkpoint, and the seen/acknowledged states against the envelopes that
/// carry them. Works on a <see cref="StoreReader"/>, so nothing in the file is trusted.
/// </summary>
public sealed partial class StoreVerifier
{
    private readonly StoreReader _reader;
    private readonly NodeKey _me;
    private readonly string _myName;
    private readonly List<StoreProblem> _problems = [];
    private readonly List<string> _warnings = [];
    private readonly VerifiedRoots _verified = new();

    private StoreVerifier(StoreReader reader, NodeKey me, string myName)
    {
        _reader = reader;
        _me = me;
        _myName = myName;
    }

    public static StoreReport Verify(StoreReader reader, NodeKey me, string myName)
    {
        var v = new StoreVerifier(reader, me, myName);
        var peers = new List<PeerRecordSummary>();
        foreach (var row in reader.Peers())
        {
            if (v.CheckPeer(row) is { } peer)
            {
                peers.Add(v.VerifyPeer(peer));
            }
        }
        foreach (var row in reader.StrayEnvelopes())
        {
            v.Problem("envelopes", $"row pos {row.Long("pos")}", $"belongs to no paired peer or to no direction (peer_id '{row["peer_id"]}', direction '{row["direction"]}')");
        }
        foreach (var row in reader.Receipts(null))
        {
            v.Problem("receipts", $"receipt {row.Long("receipt_id")}", $"belongs to no paired peer (peer_id '{row["peer_id"]}')");
        }
        return new StoreReport(v._problems, v._warnings, peers);
    }

    private void Problem(string table, string where, string what) => _problems.Add(new StoreProblem(table, where, what));

    /// <summary>The peer row must hold a valid key, its id, and the card that key signed.</summary>
    private PeerContext? CheckPeer(RawRow row)
    {
        var id = row.Text("peer_id") ?? "?";
        var where = $"peer row {row.Long("rowid")} ({id})";
        if (row.Blob("identity_key") is not { } keyBytes || !NodeKey.TryFromBytes(keyBytes, out var key))
        {
            Problem("peers", where, "identity_key is not a 32-byte Ed25519 key; nothing of this peer can be checked");
            return null;
        }
        if (key!.Id != id)
        {
            Problem("peers", where, $"peer_id is not the id of its identity key ({key.Id})");
        }
        var name = row.Text("name") ?? "?";
        var card = PairingCard.Parse(row.Text("card") ?? "");
        if (card.Card is not { } c)
        {
            Problem("peers", where, $"the stored pairing card does not verify: {card.Error}");
        }
        else if (!c.Key.Equals(key))
        {
            Problem("peers", where, "the stored pairing card is for another identity key");
        }
        else
        {
            if (c.Name != name)
            {
                Problem("peers", where, $"name '{name}' is not the name on the peer's signed card ('{c.Name}')");
            }
            if (!string.Equals(c.TlsCertificateSha256, row.Text("tls_sha256"), StringComparison.OrdinalIgnoreCase))
            {
                Problem("peers", where, "tls_sha256 is not the pin on the peer's signed card");
            }
        }
        return new PeerContext(key.Id, name, key, LinkSides.Of(_me, key));
    }

    private PeerRecordSummary VerifyPeer(PeerContext peer)
    {
        // Receipts and checkpoints first: there are few of them, and each envelope row is checked
        // against them as it is read. The envelopes are then read once, in seq order, and only
        // what later checks need is kept of each, so that a record of millions of messages is
        // checked in a small, bounded part of the memory it takes on disk.
        var receipts = ReadReceipts(peer);
        var checkpoints = ReadCheckpoints(peer);
        var outChain = peer.Sides.From(_me);
        var inChain = peer.Sides.From(peer.Key);
        var frontiers = _reader.Frontiers(peer.Id);
        IEnumerable<long> Counts(ChainDirection chain, int direction) =>
            checkpoints.Valid.Select(c => c.S.Count(chain)).Concat(frontiers.Where(f => f.Long("direction") == direction).Select(f => f.Long("count") ?? 0));
        var outbound = new DirectionRecord(Direction.Outbound, outChain, $"{_myName} → {peer.Name}", Counts(outChain, 0));
        var inbound = new DirectionRecord(Direction.Inbound, inChain, $"{peer.Name} → {_myName}", Counts(inChain, 1));
        ReadDirection(peer, outbound, _reader.Envelopes(peer.Id, 0), [], receipts);
        var refused = _reader.Refused(peer.Id);
        ReadDirection(peer, inbound, _reader.Envelopes(peer.Id, 1), refused, null);
        CheckReceiptsCover(peer, receipts, outbound);
        CheckCheckpoints(checkpoints, outbound, inbound);
        CheckFrontiers(peer, frontiers, outbound, inbound);
        CheckStates(peer, outbound, inbound);
        CheckStates(peer, inbound, outbound);
        var divergences = _reader.Divergences(peer.Id);
        if (divergences.Count > 0)
        {
            _warnings.Add($"peer {peer.Name} ({peer.Id}): the node recorded {divergences.Count} divergence(s) with this peer; the latest: {divergences[^1].Text("detail")}");
        }
        var latest = checkpoints.Valid.Count > 0 ? checkpoints.Valid[^1].S : null;
        return new PeerRecordSummary
        {
            PeerId = peer.Id,
            Name = peer.Name,
            Outbound = outbound.Count,
            Inbound = inbound.Count,
            Refused = refused.Count,
            Receipts = receipts.Rows,
            Checkpoints = checkpoints.Rows,
            CoveredOutbound = latest?.Count(outbound.Chain) ?? 0,
            CoveredInbound = latest?.Count(inbound.Chain) ?? 0,
            LatestCheckpoint = latest?.Created,
            Divergences = divergences.Count,
        };
    }

    private static string Where(PeerContext peer, DirectionRecord d, long? seq, string row) =>
        $"peer {peer.Name} ({peer.Id}), {(d.Local == Direction.Outbound ? "out" : "in")} ({d.Path}) seq {seq?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} ({row})";

    private static string RowPos(long? pos) => $"row pos {pos}";

    /// <summary>
    /// Every row of one direction in seq order: the envelope rows, and (inbound) the refused entries
    /// merged in by seq, an envelope row before a refused entry of the same seq.
    /// </summary>
    /// <param name="receipts">Outbound: the peer's receipts, against which each row's delivery columns are checked.</param>
    private void ReadDirection(PeerContext peer, DirectionRecord d, IEnumerable<RawRow> envelopes, IReadOnlyList<RawRow> refused, ReceiptIndex? receipts)
    {
        var next = 0;
        foreach (var row in envelopes)
        {
            if (row.Long("seq") is { } seq)
            {
                for (; next < refused.Count && !(refused[next].Long("seq") >= seq); next++)
                {
                    CheckRefusedRow(peer, d, refused[next]);
                }
            }
            CheckEnvelopeRow(peer, d, row, receipts);
        }
        for (; next < refused.Count; next++)
        {
            CheckRefusedRow(peer, d, refused[next]);
        }
    }

    private void CheckEnvelopeRow(PeerContext peer, DirectionRecord d, RawRow row, ReceiptIndex? receipts)
    {
        var seq = row.Long("seq");
        var pos = row.Long("pos");
        var where = Where(peer, d, seq, RowPos(pos));
        if (seq is null)
        {
            Problem("envelopes", where, "seq is not an integer");
            return;
        }
        if (Open(peer, d, row, "envelopes", where, seq.Value) is not { } e)
        {
            return;
        }
        Column(row, "id", Uuid7.ToBytes(e.Id), where);
        Column(row, "kind", (long)e.Kind, where);
        Column(row, "channel", e.Channel, where);
        Column(row, "precedence", (long)e.Precedence, where);
        Column(row, "created_ms", e.Created.ToUnixTimeMilliseconds(), where);
        Column(row, "label", e.Label?.ToString(), where);
        Column(row, "reference", e.Reference is { } r ? Uuid7.ToBytes(r) : null, where);
        if (receipts is not null)
        {
            CheckDelivery(receipts, seq.Value, row, where);
        }
        if (e.Kind == EnvelopeKind.Message)
        {
            d.Messages.TryAdd(e.Id, new MessageState(seq.Value, pos, AnswerMarks.Of(row)));
        }
        else if (e.Kind is EnvelopeKind.Seen or EnvelopeKind.Acknowledgement && e.Reference is { } reference)
        {
            d.Answers.Add(new AnswerState(e.Kind, reference, e.Actor ?? "?", e.Created.ToUnixTimeMilliseconds(), e.Text, seq.Value, pos));
        }
    }

    private void CheckRefusedRow(PeerContext peer, DirectionRecord d, RawRow row)
    {
        var seq = row.Long("seq");
        var where = Where(peer, d, seq, "refused entry");
        if (seq is null)
        {
            Problem("refused_envelopes", where, "seq is not an integer");
            return;
        }
        Open(peer, d, row, "refused_envelopes", where, seq.Value);
    }

    /// <summary>
    /// Verifies the signed envelope of a row and that the row's seq and hash are its own, then links
    /// it into the direction's chain. The decoded envelope, or null when it does not verify.
    /// </summary>
    private Envelope? Open(PeerContext peer, DirectionRecord d, RawRow row, string table, string where, long seq)
    {
        d.Hold(seq);
        if (row.Blob("body") is not { } body || row.Blob("signature") is not { } signature)
        {
            Problem(table, where, "body or signature is missing or not a blob");
            d.Broken.Add(seq);
            return null;
        }
        var open = ChainEntry.Open(peer.Sides, d.Chain, body, signature, _verified, out var parsed);
        if (open.Entry is not { } entry)
        {
            Problem(table, where, $"the stored envelope does not verify: {open.Error} (the body or signature was altered, or the row was inserted)");
            d.Broken.Add(seq);
            return null;
        }
        if (entry.Seq != seq)
        {
            Problem(table, where, $"the row is seq {seq} but its signed envelope is seq {entry.Seq} (rows were reordered or altered)");
            d.Broken.Add(seq);
            return null;
        }
        if (row.Blob("hash") is not { } hash || !hash.AsSpan().SequenceEqual(entry.Hash))
        {
            Problem(table, where, "column hash is not the SHA-256 of the stored body");
        }
        if (d.Last is { } last && last.Seq == seq)
        {
            Problem(table, where, $"seq {seq} is held twice");
        }
        else
        {
            Link(peer, d, entry);
        }
        return EnvelopeCodec.DecodeTrusted(parsed!, body, signature, entry.Hash);
    }

    /// <summary>
    /// The next valid entry of a direction, in seq order: sequence numbers from 1 without gaps, each
    /// entry naming the hash of the one before.
    /// </summary>
    private void Link(PeerContext peer, DirectionRecord d, ChainEntry entry)
    {
        var seq = entry.Seq;
        var expected = d.Last is { } previous ? previous.Seq + 1 : 1;
        if (seq > expected && !d.Broken.Any(b => b >= expected && b < seq))
        {
            var missing = expected == seq - 1 ? $"seq {expected} is" : $"seqs {expected}–{seq - 1} are";
            if (d.Local == Direction.Outbound)
            {
                Problem("envelopes", Where(peer, d, expected, "missing"),
                    $"{missing} missing while seq {seq} is held; this node numbers its envelopes without gaps (a row was deleted)");
            }
            else
            {
                _warnings.Add($"{Where(peer, d, expected, "missing")}: {missing} not held while seq {seq} is; the peer may still deliver it (precedence lets later envelopes overtake), or a row was deleted");
            }
        }
        if (d.Last is { } before && before.Seq == seq - 1 && !entry.PrevHash.AsSpan().SequenceEqual(before.Hash))
        {
            Problem("envelopes", Where(peer, d, seq, "chain"),
                $"prev_hash is not the hash of seq {seq - 1} held here (an entry was replaced or inserted)");
        }
        d.Append(seq, entry.Hash);
    }

    private void Column(RawRow row, string column, object? expected, string where)
    {
        var actual = row[column];
        var same = (actual, expected) switch
        {
            (null, null) => true,
            (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
            (long a, long b) => a == b,
            (string a, string b) => a == b,
            _ => false,
        };
        if (!same)
        {
            Problem("envelopes", where, $"column {column} is {Show(actual)} but the signed envelope says {Show(expected)}");
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "NULL",
        byte[] b => Convert.ToHexStringLower(b),
        string s => $"'{s}'",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "?",
    };

    private sealed record PeerContext(string Id, string Name, NodeKey Key, LinkSides Sides);

    /// <summary>
    /// What the verifier keeps of one direction while its rows are read in seq order: the last valid
    /// entry, how far the entries from seq 1 are whole, the Merkle frontier and what each checkpoint
    /// needs of it, the seqs held, and for the answer checks a little of each message and answer.
    /// </summary>
    private sealed class DirectionRecord
    {
        private readonly MerkleFrontier _frontier = new();
        private readonly HashSet<long> _checkpointCounts;
        private readonly List<(long First, long Last)> _held = [];

        public DirectionRecord(Direction local, ChainDirection chain, string path, IEnumerable<long> checkpointCounts)
        {
            Local = local;
            Chain = chain;
            Path = path;
            _checkpointCounts = [.. checkpointCounts];
            if (_checkpointCounts.Contains(0))
            {
                AtCount[0] = ([], _frontier.Root());
            }
        }

        public Direction Local { get; }
        public ChainDirection Chain { get; }
        public string Path { get; }
        /// <summary>Valid entries, each seq once (envelopes and, inbound, refused entries).</summary>
        public long Count { get; private set; }
        /// <summary>The valid entry read last, the highest seq so far.</summary>
        public (long Seq, byte[] Hash)? Last { get; private set; }
        /// <summary>Seqs 1..Whole are all held as valid entries.</summary>
        public long Whole { get; private set; }
        /// <summary>For each count a checkpoint names and the entries reach whole: the hash of that entry and the Merkle root of 1..count.</summary>
        public Dictionary<long, (byte[] Head, byte[] Root)> AtCount { get; } = [];
        /// <summary>Seqs of rows that exist but do not verify.</summary>
        public HashSet<long> Broken { get; } = [];
        /// <summary>Messages (kind 1) by id, in the order read.</summary>
        public Dictionary<Guid, MessageState> Messages { get; } = [];
        /// <summary>Seen and acknowledgement envelopes.</summary>
        public List<AnswerState> Answers { get; } = [];

        /// <summary>A row of <paramref name="seq"/> exists, valid or not.</summary>
        public void Hold(long seq)
        {
            if (_held.Count > 0 && seq >= _held[^1].First && seq <= _held[^1].Last + 1)
            {
                _held[^1] = (_held[^1].First, Math.Max(_held[^1].Last, seq));
            }
            else
            {
                _held.Add((seq, seq));
            }
        }

        /// <summary>Whether a row of <paramref name="seq"/> exists, valid or not.</summary>
        public bool Holds(long seq)
        {
            var i = _held.BinarySearch((seq, long.MaxValue));
            i = i < 0 ? ~i - 1 : i;
            return i >= 0 && seq <= _held[i].Last;
        }

        public void Append(long seq, byte[] hash)
        {
            Last = (seq, hash);
            Count++;
            if (seq != Whole + 1)
            {
                return;
            }
            Whole = seq;
            _frontier.Append(hash);
            if (_checkpointCounts.Contains(seq))
            {
                AtCount[seq] = (hash, _frontier.Root());
            }
        }

        /// <summary>The first seq in 1..count that is not held as a valid entry, if any.</summary>
        public long? FirstMissing(long count) => Whole < count ? Whole + 1 : null;
    }

    /// <summary>A message kept for the answer checks, which need both directions read first.</summary>
    private readonly record struct MessageState(long Seq, long? Pos, AnswerMarks? Marks);

    /// <summary>A seen or acknowledgement envelope: what it says of the message it names.</summary>
    private sealed record AnswerState(EnvelopeKind Kind, Guid Reference, string Actor, long CreatedMs, string Text, long Seq, long? Pos);

    /// <summary>The columns of a message's row that say who saw and acknowledged it; null when none is set.</summary>
    private sealed record AnswerMarks(long? AckedMs, string? AckedBy, string? AckReply, long? SeenMs, string? SeenBy)
    {
        public static AnswerMarks? Of(RawRow row) =>
            row.IsNull("acked_ms") && row.IsNull("acked_by") && row.IsNull("ack_reply") && row.IsNull("seen_ms") && row.IsNull("seen_by")
                ? null
                : new(row.Long("acked_ms"), row.Text("acked_by"), row.Text("ack_reply"), row.Long("seen_ms"), row.Text("seen_by"));
    }
}
