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
        var outbound = new DirectionRecord(Direction.Outbound, peer.Sides.From(_me), $"{_myName} → {peer.Name}");
        var inbound = new DirectionRecord(Direction.Inbound, peer.Sides.From(peer.Key), $"{peer.Name} → {_myName}");
        foreach (var row in _reader.Envelopes(peer.Id, 0))
        {
            CheckEnvelopeRow(peer, outbound, row);
        }
        foreach (var row in _reader.Envelopes(peer.Id, 1))
        {
            CheckEnvelopeRow(peer, inbound, row);
        }
        var refused = _reader.Refused(peer.Id);
        foreach (var row in refused)
        {
            CheckRefusedRow(peer, inbound, row);
        }
        CheckChain(peer, outbound);
        CheckChain(peer, inbound);
        var receipts = CheckReceipts(peer, outbound);
        var latest = CheckCheckpoints(peer, outbound, inbound);
        CheckStates(peer, outbound, inbound);
        CheckStates(peer, inbound, outbound);
        var divergences = _reader.Divergences(peer.Id);
        if (divergences.Count > 0)
        {
            _warnings.Add($"peer {peer.Name} ({peer.Id}): the node recorded {divergences.Count} divergence(s) with this peer; the latest: {divergences[^1].Text("detail")}");
        }
        return new PeerRecordSummary
        {
            PeerId = peer.Id,
            Name = peer.Name,
            Outbound = outbound.Entries.Count,
            Inbound = inbound.Entries.Count,
            Refused = refused.Count,
            Receipts = receipts,
            Checkpoints = latest.Count,
            CoveredOutbound = latest.Statement?.Count(outbound.Chain) ?? 0,
            CoveredInbound = latest.Statement?.Count(inbound.Chain) ?? 0,
            LatestCheckpoint = latest.Statement?.Created,
            Divergences = divergences.Count,
        };
    }

    private static string Where(PeerContext peer, DirectionRecord d, long? seq, string row) =>
        $"peer {peer.Name} ({peer.Id}), {(d.Local == Direction.Outbound ? "out" : "in")} ({d.Path}) seq {seq?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} ({row})";

    private void CheckEnvelopeRow(PeerContext peer, DirectionRecord d, RawRow row)
    {
        var seq = row.Long("seq");
        var where = Where(peer, d, seq, $"row pos {row.Long("pos")}");
        if (seq is null)
        {
            Problem("envelopes", where, "seq is not an integer");
            return;
        }
        var entry = Open(peer, d, row, "envelopes", where, seq.Value);
        if (entry is null)
        {
            return;
        }
        var e = entry.Decode();
        Column(row, "id", Uuid7.ToBytes(e.Id), where);
        Column(row, "kind", (long)e.Kind, where);
        Column(row, "channel", e.Channel, where);
        Column(row, "precedence", (long)e.Precedence, where);
        Column(row, "created_ms", e.Created.ToUnixTimeMilliseconds(), where);
        Column(row, "label", e.Label?.ToString(), where);
        Column(row, "reference", e.Reference is { } r ? Uuid7.ToBytes(r) : null, where);
        d.Messages.Add(new RowState(entry.Seq, e, RowMarks.Of(row), where));
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

    /// <summary>Verifies the signed envelope of a row and that the row's seq and hash are its own.</summary>
    private ChainEntry? Open(PeerContext peer, DirectionRecord d, RawRow row, string table, string where, long seq)
    {
        if (row.Blob("body") is not { } body || row.Blob("signature") is not { } signature)
        {
            Problem(table, where, "body or signature is missing or not a blob");
            d.Broken.Add(seq);
            return null;
        }
        var open = ChainEntry.Open(peer.Sides, d.Chain, body, signature, _verified);
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
        if (!d.Entries.TryAdd(seq, entry))
        {
            Problem(table, where, $"seq {seq} is held twice");
        }
        return entry;
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

    /// <summary>Sequence numbers from 1 without gaps; each entry names the hash of the one before.</summary>
    private void CheckChain(PeerContext peer, DirectionRecord d)
    {
        long expected = 1;
        ChainEntry? previous = null;
        foreach (var (seq, entry) in d.Entries)
        {
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
                    d.Gaps.Add((expected, seq - 1));
                    _warnings.Add($"{Where(peer, d, expected, "missing")}: {missing} not held while seq {seq} is; the peer may still deliver it (precedence lets later envelopes overtake), or a row was deleted");
                }
            }
            if (previous is not null && previous.Seq == seq - 1 && !entry.PrevHash.AsSpan().SequenceEqual(previous.Hash))
            {
                Problem("envelopes", Where(peer, d, seq, "chain"),
                    $"prev_hash is not the hash of seq {seq - 1} held here (an entry was replaced or inserted)");
            }
            previous = entry;
            expected = seq + 1;
        }
    }

    private sealed record PeerContext(string Id, string Name, NodeKey Key, LinkSides Sides);

    /// <summary>What the verifier learnt about one direction.</summary>
    private sealed class DirectionRecord(Direction local, ChainDirection chain, string path)
    {
        public Direction Local { get; } = local;
        public ChainDirection Chain { get; } = chain;
        public string Path { get; } = path;
        /// <summary>Valid entries by seq (envelopes and, inbound, refused entries).</summary>
        public SortedDictionary<long, ChainEntry> Entries { get; } = [];
        /// <summary>Seqs of rows that exist but do not verify.</summary>
        public HashSet<long> Broken { get; } = [];
        public List<(long First, long Last)> Gaps { get; } = [];
        public List<RowState> Messages { get; } = [];

        /// <summary>The first seq in 1..count that is not held as a valid entry, if any.</summary>
        public long? FirstMissing(long count)
        {
            long expected = 1;
            foreach (var seq in Entries.Keys)
            {
                if (seq > count || seq != expected)
                {
                    break;
                }
                expected++;
            }
            return expected <= count ? expected : null;
        }
    }

    /// <summary>
    /// A message kept for the checks that need every row of both directions first (receipts,
    /// answers): its envelope and the columns those checks compare, not the whole row, so that a
    /// record of millions of messages is held in a fraction of the memory.
    /// </summary>
    private sealed record RowState(long Seq, Envelope Envelope, RowMarks Row, string Where);

    /// <summary>The columns of a message's row that say how far it got.</summary>
    private sealed record RowMarks(bool Delivered, string? Rejected, long? ReceiptId, long? AckedMs, string? AckedBy, string? AckReply,
        long? SeenMs, string? SeenBy)
    {
        public static RowMarks Of(RawRow row) => new(!row.IsNull("delivered_ms"), row.Text("rejected"), row.Long("receipt_id"),
            row.Long("acked_ms"), row.Text("acked_by"), row.Text("ack_reply"), row.Long("seen_ms"), row.Text("seen_by"));
    }
}
