using Google.Protobuf;
using Hotline.Core.Envelopes;
using Hotline.Core.Transcript;
using Hotline.Protocol;

namespace Hotline.Storage.Transcript;

public sealed partial class StoreVerifier
{
    private const long MaxSeqsChecked = 10_000_000;

    /// <summary>The peer's signed receipts: each must verify, name envelopes this node holds, and match the delivery columns.</summary>
    private int CheckReceipts(PeerContext peer, DirectionRecord outbound)
    {
        var committed = new List<(long First, long Last, long Receipt)>();
        var rejected = new Dictionary<long, (string Reason, long Receipt)>();
        var ids = new HashSet<long>();
        var rows = _reader.Receipts(peer.Id);
        foreach (var row in rows)
        {
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
            ids.Add(id);
            foreach (var r in opened.Committed)
            {
                committed.Add(((long)r.First, (long)r.Last, id));
            }
            foreach (var r in opened.Rejected.Where(r => r.Seq is > 0 and <= long.MaxValue))
            {
                rejected.TryAdd((long)r.Seq, (r.Reason, id));
            }
        }

        long checkedSeqs = 0;
        foreach (var (first, last, receipt) in committed.Concat(rejected.Select(r => (r.Key, r.Key, r.Value.Receipt))))
        {
            for (var s = first; s <= last && checkedSeqs++ < MaxSeqsChecked; s++)
            {
                if (!outbound.Entries.ContainsKey(s) && !outbound.Broken.Contains(s))
                {
                    Problem("receipts", $"peer {peer.Name} ({peer.Id}), receipt {receipt}",
                        $"the peer's signed receipt covers out ({outbound.Path}) seq {s}, but this node holds no such envelope (a row was deleted)");
                    break;
                }
            }
        }

        // Looked up per message: the ranges merged and searched, and each receipt's own ranges.
        var covered = Merged(committed);
        var byReceipt = committed.ToLookup(r => r.Receipt);
        bool Covered(long seq)
        {
            var i = covered.BinarySearch((seq, long.MaxValue));
            i = i < 0 ? ~i - 1 : i;
            return i >= 0 && seq <= covered[i].Last;
        }
        foreach (var m in outbound.Messages)
        {
            var delivered = m.Row.Delivered;
            var reason = m.Row.Rejected;
            var rejection = rejected.TryGetValue(m.Seq, out var rj) ? rj.Reason : null;
            if (delivered && !Covered(m.Seq))
            {
                Problem("envelopes", m.Where, "marked delivered, but no receipt from the peer covers it");
            }
            if (reason is not null && reason != rejection)
            {
                Problem("envelopes", m.Where, $"marked rejected ('{reason}'), but no receipt from the peer rejects it so");
            }
            if (!delivered && reason is null && (Covered(m.Seq) || rejection is not null))
            {
                Problem("envelopes", m.Where, "a receipt from the peer covers it, but it is not marked delivered or rejected");
            }
            if (m.Row.ReceiptId is { } rid && !(ids.Contains(rid)
                && (byReceipt[rid].Any(r => m.Seq >= r.First && m.Seq <= r.Last) || (rejection is not null && rj.Receipt == rid))))
            {
                Problem("envelopes", m.Where, $"receipt_id {rid} does not refer to a receipt of the peer that covers it");
            }
        }
        return rows.Count;
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

    /// <summary>
    /// Co-signed checkpoints: both signatures, and that this node still holds what it signed:
    /// every entry they cover, the heads, and the Merkle root.
    /// </summary>
    private (int Count, CheckpointStatement? Statement) CheckCheckpoints(PeerContext peer, DirectionRecord outbound, DirectionRecord inbound)
    {
        var valid = new List<(long Id, CheckpointStatement S, string Where)>();
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
            valid.Add((id, s, where));
        }

        var complete = new List<(long Id, CheckpointStatement S, string Where)>();
        foreach (var (id, s, where) in valid)
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
                else if (count > 0 && !d.Entries[count].Hash.AsSpan().SequenceEqual(s.Head(d.Chain)))
                {
                    Problem("checkpoints", where, $"its head of {d.Path} is not the hash of seq {count} held here");
                    whole = false;
                }
            }
            if (whole)
            {
                complete.Add((id, s, where));
            }
        }

        var rootsOut = Roots(outbound, complete.Select(c => c.S.Count(outbound.Chain)));
        var rootsIn = Roots(inbound, complete.Select(c => c.S.Count(inbound.Chain)));
        foreach (var (_, s, where) in complete)
        {
            var (ab, ba) = outbound.Chain == ChainDirection.AtoB
                ? (rootsOut[s.Count(outbound.Chain)], rootsIn[s.Count(inbound.Chain)])
                : (rootsIn[s.Count(inbound.Chain)], rootsOut[s.Count(outbound.Chain)]);
            if (!Merkle.TranscriptRoot(ab, ba).AsSpan().SequenceEqual(s.TranscriptRoot))
            {
                Problem("checkpoints", where, "its Merkle root does not match the entries held here");
            }
        }
        return (rows.Count, valid.Count > 0 ? valid[^1].S : null);
    }

    /// <summary>Roots of the direction's prefixes 1..k for each k (all held, checked before).</summary>
    private static Dictionary<long, byte[]> Roots(DirectionRecord d, IEnumerable<long> counts)
    {
        var wanted = new SortedSet<long>(counts);
        var roots = new Dictionary<long, byte[]>();
        var frontier = new MerkleFrontier();
        if (wanted.Contains(0))
        {
            roots[0] = frontier.Root();
        }
        var max = wanted.Count > 0 ? wanted.Max : 0;
        foreach (var (seq, entry) in d.Entries)
        {
            if (seq > max)
            {
                break;
            }
            frontier.Append(entry.Hash);
            if (wanted.Contains(seq))
            {
                roots[seq] = frontier.Root();
            }
        }
        return roots;
    }

    /// <summary>
    /// Seen and acknowledged states of the messages of <paramref name="messages"/> must be those
    /// the signed seen/acknowledgement envelopes of <paramref name="responses"/> carry.
    /// </summary>
    private void CheckStates(PeerContext peer, DirectionRecord messages, DirectionRecord responses)
    {
        var byId = messages.Messages.Where(m => m.Envelope.Kind == EnvelopeKind.Message).ToDictionary(m => m.Envelope.Id);
        var answers = responses.Messages
            .Where(r => r.Envelope.Kind is EnvelopeKind.Seen or EnvelopeKind.Acknowledgement && r.Envelope.Reference is not null)
            .ToList();
        foreach (var r in answers.Where(r => !byId.ContainsKey(r.Envelope.Reference!.Value)))
        {
            var what = $"this {(r.Envelope.Kind == EnvelopeKind.Seen ? "seen" : "acknowledgement")} envelope refers to message {r.Envelope.Reference}, which is not held here";
            if (responses.Local == Direction.Outbound)
            {
                // This node answers only messages it holds: the message's row went.
                Problem("envelopes", r.Where, $"{what} (a row was deleted)");
            }
            else
            {
                _warnings.Add($"{r.Where}: {what}");
            }
        }
        var byMessage = answers.ToLookup(r => r.Envelope.Reference!.Value);
        foreach (var (id, m) in byId)
        {
            var mine = byMessage[id].ToList();
            var ack = mine.FirstOrDefault(r => r.Envelope.Kind == EnvelopeKind.Acknowledgement);
            var ackedMs = m.Row.AckedMs;
            var ackedBy = m.Row.AckedBy;
            var reply = m.Row.AckReply;
            if (ack is null)
            {
                if (ackedMs is not null || ackedBy is not null || reply is not null)
                {
                    Problem("envelopes", m.Where, $"marked acknowledged (by '{ackedBy}'), but no signed acknowledgement names it");
                }
            }
            else
            {
                var e = ack.Envelope;
                if (ackedMs != e.Created.ToUnixTimeMilliseconds() || ackedBy != (e.Actor ?? "?") || (reply ?? "") != e.Text)
                {
                    Problem("envelopes", m.Where,
                        $"columns acked_ms, acked_by, ack_reply say '{ackedBy}' at {ackedMs} ('{reply}'), but the signed acknowledgement (seq {ack.Seq}) says '{e.Actor}' at {e.Created.ToUnixTimeMilliseconds()} ('{e.Text}')");
                }
            }
            var seenMs = m.Row.SeenMs;
            var seenBy = m.Row.SeenBy;
            if (seenMs is null && seenBy is null)
            {
                if (mine.Count > 0)
                {
                    Problem("envelopes", m.Where, $"a signed {(mine[0].Envelope.Kind == EnvelopeKind.Seen ? "seen" : "acknowledgement")} envelope (seq {mine[0].Seq}) names it, but it is not marked seen");
                }
            }
            else if (!mine.Any(r => (r.Envelope.Actor ?? "?") == seenBy && r.Envelope.Created.ToUnixTimeMilliseconds() == seenMs))
            {
                Problem("envelopes", m.Where, $"marked seen by '{seenBy}' at {seenMs}, but no signed seen or acknowledgement envelope says so");
            }
        }
    }
}
