using Google.Protobuf;
using Hotline.Core.Envelopes;
using Hotline.Core.Transcript;
using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Protocol;
using Hotline.Storage;
using Hotline.Storage.Transcript;

namespace Hotline.Node.Transcript;

public sealed partial class TranscriptExchange
{
    private const int PointsPerRound = 32;

    /// <summary>
    /// Keeps the peer's signed envelopes that this node refused for their content: they remain
    /// entries of the chain (docs/protocol.md §6.3). Must complete before the receipt is sent.
    /// </summary>
    internal async Task KeepRefusedAsync(PeerRecord peer, IReadOnlyList<(SignedEnvelope Envelope, string Reason)> refused, CancellationToken ct)
    {
        var sides = LinkSides.Of(identity.PublicKey, peer.Key);
        var d = sides.From(peer.Key);
        var entries = new List<RefusedEntry>();
        foreach (var (signed, reason) in refused)
        {
            if (ChainEntry.Open(sides, d, signed.Body.ToByteArray(), signed.Signature.ToByteArray()).Entry is { } e)
            {
                entries.Add(new RefusedEntry(e.Seq, e.Body, e.Signature, e.Hash, e.PrevHash, reason));
            }
        }
        if (entries.Count == 0)
        {
            return;
        }
        var broken = await store.KeepRefusedAsync(peer.Id, entries, ct);
        foreach (var (seq, reason) in broken)
        {
            var e = entries.First(x => x.Seq == seq);
            await RecordConflictAsync(peer, seq, reason, e.Body, e.Signature, ct);
        }
    }

    /// <summary>Records envelopes the store refused because they conflict with what it holds.</summary>
    internal async Task OnConflictsAsync(PeerRecord peer, IReadOnlyList<(long Seq, string Reason)> conflicts, IReadOnlyList<Envelope> offered, CancellationToken ct)
    {
        foreach (var (seq, reason) in conflicts)
        {
            var e = offered.FirstOrDefault(x => x.Seq == seq);
            await RecordConflictAsync(peer, seq, reason, e?.Body, e?.Signature, ct);
        }
    }

    private async Task RecordConflictAsync(PeerRecord peer, long seq, string reason, byte[]? body, byte[]? signature, CancellationToken ct)
    {
        var chain = reason.StartsWith(DivergenceKinds.ChainMismatchReason, StringComparison.Ordinal);
        var detail = $"envelope seq {seq} from {peer.Name} ({peer.Id}) refused: {reason}";
        security.Record(chain ? TranscriptEvents.ChainMismatch : SecurityLog.Conflict, detail);
        var divergence = await store.RecordDivergenceAsync(new Divergence
        {
            PeerId = peer.Id,
            At = time.GetUtcNow(),
            Kind = chain ? DivergenceKinds.ChainMismatch : DivergenceKinds.ConflictingEnvelope,
            Direction = Direction.Inbound,
            Seq = seq,
            Detail = $"{Path(Direction.Inbound, peer)} seq {seq}: {reason}",
            EvidenceBody = body,
            EvidenceSignature = signature,
        }, ct);
        Publish(peer, divergence);
    }

    /// <summary>
    /// The two records part: raise the alarm, find the first entry of each direction where they
    /// differ, and keep what the peer signed as evidence.
    /// </summary>
    private async Task<IReadOnlyList<Divergence>> DivergeAsync(PeerLink link, PeerSession session, CheckpointStatement proposed, string reason,
        byte[]? evidence, byte[]? evidenceSignature, CancellationToken ct)
    {
        var peer = link.Peer;
        IReadOnlyList<(Direction Direction, long Seq, string Detail)> located = [];
        string? locateError = null;
        var state = State(peer);
        // One search at a time per link: a peer sending many bad proposals cannot make this node read its record again and again.
        if (Interlocked.CompareExchange(ref state.Locating, 1, 0) != 0)
        {
            locateError = "another search for the first differing entry is running";
        }
        else
        {
            try
            {
                located = await LocateAsync(link, session, proposed, ct);
            }
            catch (Exception e) when (e is TimeoutException || PeerSession.IsTransportError(e))
            {
                locateError = "the first differing entry could not be located (the peer did not answer)";
            }
            finally
            {
                Volatile.Write(ref state.Locating, 0);
            }
        }
        var list = new List<Divergence>();
        var at = time.GetUtcNow();
        foreach (var (d, seq, detail) in located.DefaultIfEmpty((Direction.Outbound, 0, "")))
        {
            list.Add(await store.RecordDivergenceAsync(new Divergence
            {
                PeerId = peer.Id,
                At = at,
                Kind = DivergenceKinds.Checkpoint,
                Direction = seq > 0 ? d : null,
                Seq = seq > 0 ? seq : null,
                Detail = seq > 0 ? $"{reason}; first difference: {detail}" : $"{reason}; {locateError ?? "no entry differs up to the proposed counts"}",
                EvidenceBody = evidence,
                EvidenceSignature = evidenceSignature,
            }, ct));
        }
        foreach (var d in list)
        {
            security.Record(TranscriptEvents.DivergenceEvent, $"with {peer.Name} ({peer.Id}): {d.Detail}");
            Publish(peer, d);
        }
        return list;
    }

    private void Publish(PeerRecord peer, Divergence d) => events.Publish(new NodeEvent
    {
        Type = TranscriptEvents.Divergence,
        At = d.At,
        Peer = peer.Id,
        Seq = d.Seq,
        Detail = d.Detail,
    });

    /// <summary>
    /// Finds, for each direction, the first seq at which the two nodes' records part, by comparing
    /// the Merkle roots of prefixes (1..k) at a few points per round and narrowing the interval.
    /// A prefix root differs from the first differing or missing entry onwards, so the search is exact.
    /// </summary>
    private async Task<IReadOnlyList<(Direction, long, string)>> LocateAsync(PeerLink link, PeerSession session, CheckpointStatement proposed,
        CancellationToken ct)
    {
        var peer = link.Peer;
        var sides = proposed.Sides;
        var state = State(peer);
        var found = new List<(Direction, long, string)>();
        foreach (var d in new[] { ChainDirection.AtoB, ChainDirection.BtoA })
        {
            var n = proposed.Count(d);
            var local = Local(sides, d);
            var known = new Dictionary<long, (byte[]? Mine, byte[]? Theirs)>();
            async Task<long?> FirstDifferingAsync(IReadOnlyList<long> points)
            {
                var theirs = await QueryAsync(session, state, d, points, ct);
                IReadOnlyDictionary<long, byte[]?> mine;
                await state.Local.Gate.WaitAsync(ct);
                try
                {
                    mine = state.Local.PrefixRoots(local, points);
                }
                finally
                {
                    state.Local.Gate.Release();
                }
                for (var i = 0; i < points.Count; i++)
                {
                    known[points[i]] = (mine[points[i]], theirs[i]);
                }
                return points.Cast<long?>().FirstOrDefault(p => !Same(known[p!.Value]));
            }
            if (n == 0 || await FirstDifferingAsync([n]) is null)
            {
                continue;
            }
            long lo = 0, hi = n;
            while (hi - lo > 1)
            {
                var points = Points(lo, hi);
                if (await FirstDifferingAsync(points) is { } first)
                {
                    lo = points.LastOrDefault(p => p < first, lo);
                    hi = first;
                }
                else
                {
                    lo = points[^1];
                }
            }
            var (mineAt, theirsAt) = known[hi];
            var what = mineAt is null ? $"this node does not hold it; {peer.Name} does"
                : theirsAt is null ? $"{peer.Name} does not hold it; this node does"
                : "the two nodes hold different envelopes there";
            found.Add((local, hi, $"{Path(local, peer)} seq {hi}: {what}"));
        }
        return found;
    }

    private static bool Same((byte[]? Mine, byte[]? Theirs) roots) =>
        roots.Mine is null ? roots.Theirs is null : roots.Theirs is not null && roots.Mine.AsSpan().SequenceEqual(roots.Theirs);

    /// <summary>Up to <see cref="PointsPerRound"/> counts spread strictly between lo and hi, and hi-1 ≥ each.</summary>
    private static List<long> Points(long lo, long hi)
    {
        var span = hi - lo;
        var m = Math.Min(PointsPerRound, span - 1);
        var points = new SortedSet<long>();
        for (var i = 1; i <= m; i++)
        {
            points.Add(lo + (long)Math.Round(i * (double)span / (m + 1)));
        }
        points.RemoveWhere(p => p <= lo || p >= hi);
        return [.. points];
    }

    private async Task<IReadOnlyList<byte[]?>> QueryAsync(PeerSession session, PeerState state, ChainDirection d, IReadOnlyList<long> counts, CancellationToken ct)
    {
        var nonce = state.NextNonce();
        var pending = new TaskCompletionSource<PrefixAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        state.Queries[nonce] = pending;
        try
        {
            var query = new PrefixQuery { Nonce = nonce, Direction = (uint)d };
            query.Counts.AddRange(counts.Select(c => (ulong)c));
            await session.SendAsync(Frame(new TranscriptFrame { Query = query }), ct);
            var answer = await pending.Task.WaitAsync(TimeSpan.FromSeconds(Settings.ReplyTimeoutSeconds), time, ct);
            if (answer.Roots.Count != counts.Count)
            {
                throw new TimeoutException("the peer's answer does not match the query");
            }
            return answer.Roots.Select(r => r.Length == Merkle.HashBytes ? r.ToByteArray() : null).ToList();
        }
        finally
        {
            state.Queries.TryRemove(nonce, out _);
        }
    }
}
