using Google.Protobuf;
using Hotline.Core.Envelopes;
using Hotline.Core.Transcript;
using Hotline.Protocol;

namespace Hotline.Storage.Transcript;

public sealed partial class StoreVerifier
{
    private const long MaxSeqsChecked = 10_000_000;

    /// <summary>The peer's signed receipts, each of which must verify; what they cover, for the envelope rows to be checked against.</summary>
    private ReceiptIndex ReadReceipts(PeerContext peer)
    {
        var index = new ReceiptIndex();
        foreach (var row in _reader.Receipts(peer.Id))
        {
            index.Rows++;
            var id = row.Long("receipt_id") ?? 0;
            var where = $"peer {peer.Name} ({peer.Id}), receipt {id}";
            var body = row.Blob("body");
            var signature = row.Blob("signature");
            var opened = body is null || signature is null ? null : ReceiptCodec.Open(peer.Key, _me,
                new SignedReceipt { Body = ByteString.CopyFrom(body), Signature = ByteString.CopyFrom(signature) });
            if (opened is null)
            {
                Problem("receipts", where, "does not verify with the peer's key (the receipt was altered or inserted)");
                continue;
            }
            index.Ids.Add(id);
            foreach (var r in opened.Committed)
            {
                index.Committed.Add(((long)r.First, (long)r.Last, id));
            }
            foreach (var r in opened.Rejected.Where(r => r.Seq is > 0 and <= long.MaxValue))
            {
                index.Rejected.TryAdd((long)r.Seq, (r.Reason, id));
            }
        }
        index.Complete();
        return index;
    }

    /// <summary>An outbound envelope row's delivery columns must be what the peer's receipts say of it.</summary>
    private void CheckDelivery(ReceiptIndex receipts, long seq, RawRow row, string where)
    {
        var delivered = !row.IsNull("delivered_ms");
        var reason = row.Text("rejected");
        var rejection = receipts.Rejected.TryGetValue(seq, out var rj) ? rj.Reason : null;
        var covered = receipts.Covers(seq);
        if (delivered && !covered)
        {
            Problem("envelopes", where, "marked delivered, but no receipt from the peer covers it");
        }
        if (reason is not null && reason != rejection)
        {
            Problem("envelopes", where, $"marked rejected ('{reason}'), but no receipt from the peer rejects it so");
        }
        if (!delivered && reason is null && (covered || rejection is not null))
        {
            Problem("envelopes", where, "a receipt from the peer covers it, but it is not marked delivered or rejected");
        }
        if (row.Long("receipt_id") is { } rid && !(receipts.Ids.Contains(rid)
            && (receipts.ByReceipt[rid].Any(r => seq >= r.First && seq <= r.Last) || (rejection is not null && rj.Receipt == rid))))
        {
            Problem("envelopes", where, $"receipt_id {rid} does not refer to a receipt of the peer that covers it");
        }
    }

    /// <summary>Every envelope the peer's receipts cover must still be held here.</summary>
    private void CheckReceiptsCover(PeerContext peer, ReceiptIndex receipts, DirectionRecord outbound)
    {
        long checkedSeqs = 0;
        foreach (var (first, last, receipt) in receipts.Committed.Concat(receipts.Rejected.Select(r => (r.Key, r.Key, r.Value.Receipt))))
        {
            for (var s = first; s <= last && checkedSeqs++ < MaxSeqsChecked; s++)
            {
                if (!outbound.Holds(s))
                {
                    Problem("receipts", $"peer {peer.Name} ({peer.Id}), receipt {receipt}",
                        $"the peer's signed receipt covers out ({outbound.Path}) seq {s}, but this node holds no such envelope (a row was deleted)");
                    break;
                }
            }
        }
    }

    /// <summary>What the peer's valid receipts say: the ranges committed and the seqs rejected, each with its receipt.</summary>
    private sealed class ReceiptIndex
    {
        private List<(long First, long Last)> _covered = [];

        public int Rows { get; set; }
        public HashSet<long> Ids { get; } = [];
        public List<(long First, long Last, long Receipt)> Committed { get; } = [];
        public Dictionary<long, (string Reason, long Receipt)> Rejected { get; } = [];
        public ILookup<long, (long First, long Last, long Receipt)> ByReceipt { get; private set; } = null!;

        /// <summary>All receipts read: the ranges merged for <see cref="Covers"/>, and each receipt's own ranges.</summary>
        public void Complete()
        {
            _covered = Merged(Committed);
            ByReceipt = Committed.ToLookup(r => r.Receipt);
        }

        public bool Covers(long seq)
        {
            var i = _covered.BinarySearch((seq, long.MaxValue));
            i = i < 0 ? ~i - 1 : i;
            return i >= 0 && seq <= _covered[i].Last;
        }
    }

    /// <summary>The ranges, overlapping ones joined: disjoint and in order.</summary>
    private static List<(long First, long Last)> Merged(IEnumerable<(long First, long Last, long Receipt)> ranges)
    {
        var merged = new List<(long First, long Last)>();
        foreach (var (first, last, _) in ranges.Where(r => r.First <= r.Last).OrderBy(r => r.First))
        {
            if (merged.Count > 0 && first <= merged[^1].Last)
            {
                merged[^1] = (merged[^1].First, Math.Max(merged[^1].Last, last));
            }
            else
            {
                merged.Add((first, last));
            }
        }
        return merged;
    }

    /// <summary>Co-signed checkpoints: both signatures, and that each is one of this link's.</summary>
    private CheckpointIndex ReadCheckpoints(PeerContext peer)
    {
        var valid = new List<(CheckpointStatement S, string Where)>();
        var rows = _reader.Checkpoints(peer.Id);
        foreach (var row in rows)
        {
            var id = row.Long("checkpoint_id") ?? 0;
            var where = $"peer {peer.Name} ({peer.Id}), checkpoint {id}";
            if (row.Blob("body") is not { } body || row.Blob("signature_a") is not { } sa || row.Blob("signature_b") is not { } sb)
            {
                Problem("checkpoints", where, "body or a signature is missing or not a blob");
                continue;
            }
            var open = CheckpointCodec.Open(body, sa, sb);
            if (open.Statement is not { } s)
            {
                Problem("checkpoints", where, $"{open.Error} (the checkpoint was altered or inserted)");
                continue;
            }
            if (s.Sides != peer.Sides)
            {
                Problem("checkpoints", where, "it is a checkpoint of another link");
                continue;
            }
            if (row.Long("created_ms") != s.Created.ToUnixTimeMilliseconds())
            {
                Problem("checkpoints", where, "column created_ms is not the time in the signed statement");
            }
            valid.Add((s, where));
        }
        return new CheckpointIndex(rows.Count, valid);
    }

    private sealed record CheckpointIndex(int Rows, List<(CheckpointStatement S, string Where)> Valid);

    /// <summary>
    /// That this node still holds what it co-signed: every entry a checkpoint covers, the heads, and
    /// the Merkle root (from what the directions kept of those counts as they were read).
    /// </summary>
    private void CheckCheckpoints(CheckpointIndex checkpoints, DirectionRecord outbound, DirectionRecord inbound)
    {
        foreach (var (s, where) in checkpoints.Valid)
        {
            var whole = true;
            foreach (var d in new[] { outbound, inbound })
            {
                var count = s.Count(d.Chain);
                if (d.FirstMissing(count) is { } missing)
                {
                    Problem("checkpoints", where,
                        $"co-signed by both nodes, it covers {d.Path} seq 1–{count}, but seq {missing} is not held here or does not verify (a row was deleted or altered)");
                    whole = false;
                }
                else if (count > 0 && !d.AtCount[count].Head.AsSpan().SequenceEqual(s.Head(d.Chain)))
                {
                    Problem("checkpoints", where, $"its head of {d.Path} is not the hash of seq {count} held here");
                    whole = false;
                }
            }
            if (!whole)
            {
                continue;
            }
            var (ab, ba) = outbound.Chain == ChainDirection.AtoB ? (outbound, inbound) : (inbound, outbound);
            if (!Merkle.TranscriptRoot(ab.AtCount[s.Count(ab.Chain)].Root, ba.AtCount[s.Count(ba.Chain)].Root).AsSpan().SequenceEqual(s.TranscriptRoot))
            {
                Problem("checkpoints", where, "its Merkle root does not match the entries held here");
            }
        }
    }

    /// <summary>
    /// The Merkle frontier kept with the latest checkpoint of each direction (where the node's next
    /// checkpoint starts) must be that of the entries held: a wrong one would make every later
    /// checkpoint disagree with the peer's.
    /// </summary>
    private void CheckFrontiers(PeerContext peer, IReadOnlyList<RawRow> rows, DirectionRecord outbound, DirectionRecord inbound)
    {
        foreach (var row in rows)
        {
            var d = row.Long("direction") switch { 0 => outbound, 1 => inbound, _ => null };
            var count = row.Long("count") ?? -1;
            var where = $"peer {peer.Name} ({peer.Id}), direction {row["direction"]}";
            const string Fix = "delete the row: the node's next checkpoint then hashes the direction from seq 1";
            if (d is null || row.Blob("head") is not { } head || row.Blob("hashes") is not { } hashes
                || MerkleFrontier.Restore(count, hashes) is not { } frontier)
            {
                Problem("transcript_frontiers", where, $"not a Merkle frontier of a direction ({Fix})");
            }
            else if (d.FirstMissing(count) is { } missing)
            {
                Problem("transcript_frontiers", where, $"it covers {d.Path} seq 1–{count}, but seq {missing} is not held here or does not verify");
            }
            else if (count > 0 && (!d.AtCount[count].Head.AsSpan().SequenceEqual(head) || !d.AtCount[count].Root.AsSpan().SequenceEqual(frontier.Root())))
            {
                Problem("transcript_frontiers", where, $"its frontier of {d.Path} seq 1–{count} is not that of the entries held here ({Fix})");
            }
        }
    }

    /// <summary>
    /// Seen and acknowledged states of the messages of <paramref name="messages"/> must be those
    /// the signed seen/acknowledgement envelopes of <paramref name="responses"/> carry.
    /// </summary>
    private void CheckStates(PeerContext peer, DirectionRecord messages, DirectionRecord responses)
    {
        string Where(DirectionRecord d, long seq, long? pos) => StoreVerifier.Where(peer, d, seq, RowPos(pos));
        foreach (var r in responses.Answers.Where(r => !messages.Messages.ContainsKey(r.Reference)))
        {
            var what = $"this {(r.Kind == EnvelopeKind.Seen ? "seen" : "acknowledgement")} envelope refers to message {r.Reference}, which is not held here";
            if (responses.Local == Direction.Outbound)
            {
                // This node answers only messages it holds: the message's row went.
                Problem("envelopes", Where(responses, r.Seq, r.Pos), $"{what} (a row was deleted)");
            }
            else
            {
                _warnings.Add($"{Where(responses, r.Seq, r.Pos)}: {what}");
            }
        }
        var byMessage = responses.Answers.ToLookup(r => r.Reference);
        foreach (var (id, m) in messages.Messages)
        {
            var mine = byMessage[id].ToList();
            if (m.Marks is null && mine.Count == 0)
            {
                continue;
            }
            var ack = mine.FirstOrDefault(r => r.Kind == EnvelopeKind.Acknowledgement);
            var ackedMs = m.Marks?.AckedMs;
            var ackedBy = m.Marks?.AckedBy;
            var reply = m.Marks?.AckReply;
            if (ack is null)
            {
                if (ackedMs is not null || ackedBy is not null || reply is not null)
                {
                    Problem("envelopes", Where(messages, m.Seq, m.Pos), $"marked acknowledged (by '{ackedBy}'), but no signed acknowledgement names it");
                }
            }
            else if (ackedMs != ack.CreatedMs || ackedBy != ack.Actor || (reply ?? "") != ack.Text)
            {
                Problem("envelopes", Where(messages, m.Seq, m.Pos),
                    $"columns acked_ms, acked_by, ack_reply say '{ackedBy}' at {ackedMs} ('{reply}'), but the signed acknowledgement (seq {ack.Seq}) says '{ack.Actor}' at {ack.CreatedMs} ('{ack.Text}')");
            }
            var seenMs = m.Marks?.SeenMs;
            var seenBy = m.Marks?.SeenBy;
            if (seenMs is null && seenBy is null)
            {
                if (mine.Count > 0)
                {
                    Problem("envelopes", Where(messages, m.Seq, m.Pos), $"a signed {(mine[0].Kind == EnvelopeKind.Seen ? "seen" : "acknowledgement")} envelope (seq {mine[0].Seq}) names it, but it is not marked seen");
                }
            }
            else if (!mine.Any(r => r.Actor == seenBy && r.CreatedMs == seenMs))
            {
                Problem("envelopes", Where(messages, m.Seq, m.Pos), $"marked seen by '{seenBy}' at {seenMs}, but no signed seen or acknowledgement envelope says so");
            }
        }
    }
}
