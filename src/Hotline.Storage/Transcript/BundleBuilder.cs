using System.Text.Json;
using Google.Protobuf;
using Hotline.Core.Envelopes;
using Hotline.Core.Hashing;
using Hotline.Core.Identity;
using Hotline.Core.Pairing;
using Hotline.Core.Transcript;
using Hotline.Core.Transcript.Evidence;
using Hotline.Protocol;

namespace Hotline.Storage.Transcript;

/// <summary>What to put in an evidence bundle.</summary>
public sealed record BundleRequest
{
    public required string PeerId { get; init; }
    /// <summary>This node's own pairing card (JSON), signed by its identity key.</summary>
    public required string OwnCardJson { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    /// <summary>Disclose only these envelopes (and their seen/acknowledgement envelopes, translations and certifications), with inclusion proofs.</summary>
    public IReadOnlyList<Guid>? Only { get; init; }
    public required DateTimeOffset Now { get; init; }
}

/// <summary>A built bundle, or why none could be built (a value: the CLI prints it as the fix).</summary>
public sealed record BundleBuild(EvidenceBundle? Bundle, string? Error, IReadOnlyList<string> Notes);

/// <summary>Builds a signed evidence bundle from a node's store, read-only (docs/protocol.md §14).</summary>
public static class BundleBuilder
{
    public static BundleBuild Build(StoreReader reader, NodeIdentity me, BundleRequest request)
    {
        var notes = new List<string>();
        var peerRow = reader.Peers().FirstOrDefault(p => p.Text("peer_id") == request.PeerId);
        if (peerRow?.Text("card") is not { } peerCardJson || PairingCard.Parse(peerCardJson).Card is not { } peerCard)
        {
            return Fail("the peer's stored pairing card is missing or does not verify: run 'hotline verify' on this data folder");
        }
        var sides = LinkSides.Of(me.PublicKey, peerCard.Key);
        var verified = new VerifiedRoots();
        var outbound = sides.From(me.PublicKey);
        var inbound = outbound == ChainDirection.AtoB ? ChainDirection.BtoA : ChainDirection.AtoB;
        var ownName = PairingCard.Parse(request.OwnCardJson).Card?.Name ?? "this node";
        string Path(ChainDirection d) => d == outbound ? $"{ownName} → {peerCard.Name}" : $"{peerCard.Name} → {ownName}";

        // Every entry's hash (bodies are hashed here, never taken from the hash column), read once,
        // and what is in scope: only the disclosed entries' bodies are read again and kept.
        var ids = request.Only?.ToHashSet();
        var scan = new Dictionary<ChainDirection, DirectionScan> { [outbound] = new(), [inbound] = new() };
        // Selected messages bring their translations, and the translations their certifications.
        var translations = new HashSet<Guid>();
        foreach (var row in reader.Envelopes(request.PeerId, 0))
        {
            Scan(scan[outbound], row);
        }
        foreach (var row in reader.Envelopes(request.PeerId, 1).Concat(reader.Refused(request.PeerId)))
        {
            Scan(scan[inbound], row);
        }
        void Scan(DirectionScan d, RawRow row)
        {
            if (row.Long("seq") is not { } seq || row.Blob("body") is not { } body || row.Blob("signature") is null)
            {
                return;
            }
            d.Hashes[seq] = Sha256.Hash(body);
            var parsed = Parse(body);
            Guid? id = parsed.Id.Length == 16 ? Uuid7.FromBytes(parsed.Id.Span) : null;
            Guid? reference = parsed.Reference.Length == 16 ? Uuid7.FromBytes(parsed.Reference.Span) : null;
            if (ids is null)
            {
                // A window is one contiguous range of seqs per direction, so that a reader can tell
                // nothing inside it was left out: from the first to the last entry created in it.
                var created = DateTimeOffset.FromUnixTimeMilliseconds(parsed.CreatedUnixMs);
                if ((request.From is null || created >= request.From) && (request.To is null || created <= request.To))
                {
                    d.Window = d.Window is var (first, last) ? (Math.Min(first, seq), Math.Max(last, seq)) : (seq, seq);
                }
                return;
            }
            if (parsed.Kind == EnvelopeKind.Translation && id is { } translation && reference is { } of && ids.Contains(of))
            {
                translations.Add(translation);
            }
            if ((id is { } i && ids.Contains(i))
                || (reference is { } r && ids.Contains(r) && parsed.Kind is EnvelopeKind.Seen or EnvelopeKind.Acknowledgement or EnvelopeKind.Translation))
            {
                d.Selected.Add(seq);
            }
            else if (parsed.Kind == EnvelopeKind.Certification && reference is { } certified)
            {
                d.Certifications.Add((seq, certified));
            }
        }

        // Choose what to disclose (decided from bodies not yet verified), and check each chosen entry's signature now.
        var chosen = new List<(ChainDirection D, long Seq, Envelope E, bool Required)>();
        foreach (var (d, dir) in scan)
        {
            var seqs = ids is not null
                ? dir.Selected.Concat(dir.Certifications.Where(c => translations.Contains(c.Reference)).Select(c => c.Seq)).Order().Distinct().ToList()
                : dir.Window is var (first, last) ? dir.Hashes.Keys.Where(s => s >= first && s <= last).Order().ToList() : [];
            dir.Read(reader, request.PeerId, d == outbound ? 0 : 1, seqs);
            foreach (var seq in seqs)
            {
                var (body, sig) = dir.Disclosed[seq];
                // Only what is disclosed is verified here; the rest is vouched for by the checkpoint's root below.
                var open = ChainEntry.Open(sides, d, body, sig, verified);
                if (open.Entry is not { } entry || entry.Seq != seq)
                {
                    return Fail($"{Path(d)} seq {seq} in the store does not verify ({open.Error ?? "its row has another seq"}): run 'hotline verify' and export from an intact store");
                }
                var e = entry.Decode();
                chosen.Add((d, seq, e, ids?.Contains(e.Id) ?? false));
            }
        }
        if (ids is not null)
        {
            foreach (var id in ids.Where(id => !chosen.Any(c => c.E.Id == id)))
            {
                return Fail($"no envelope {id} with this peer in the store: use an id from 'hotline inbox' or the 'id' of a message");
            }
        }

        // Checkpoints: the latest that verifies, plus (not selective) the others in scope.
        var checkpoints = new List<(BundleCheckpoint Raw, CheckpointStatement S)>();
        foreach (var row in reader.Checkpoints(request.PeerId))
        {
            if (row.Blob("body") is { } body && row.Blob("signature_a") is { } sa && row.Blob("signature_b") is { } sb
                && CheckpointCodec.Open(body, sa, sb).Statement is { } s && s.Sides == sides)
            {
                checkpoints.Add((new BundleCheckpoint { Body = body, SignatureA = sa, SignatureB = sb }, s));
            }
        }
        var latest = checkpoints.Count > 0 ? checkpoints[^1] : default;
        var scoped = ids is not null ? (latest.Raw is null ? [] : [latest])
            : request.From is null && request.To is null ? checkpoints
            : checkpoints.Where(c => c == latest || ((request.From is null || c.S.Created >= request.From) && (request.To is null || c.S.Created <= request.To))).ToList();

        // Proofs, when the bundle does not hold whole prefixes: every disclosed entry against the latest checkpoint.
        var proofs = new List<BundleProof>();
        var windowed = ids is not null || request.From is not null || request.To is not null;
        if (windowed && latest.Raw is not null)
        {
            var trees = new Dictionary<ChainDirection, MerkleTree>();
            foreach (var d in new[] { ChainDirection.AtoB, ChainDirection.BtoA })
            {
                var count = latest.S.Count(d);
                if (scan[d].Prefix(count) is not { } hashes)
                {
                    return Fail($"the store no longer holds all of {Path(d)} seq 1–{count}, which the latest checkpoint covers: run 'hotline verify'");
                }
                trees[d] = MerkleTree.Build(hashes);
            }
            if (!Merkle.TranscriptRoot(trees[ChainDirection.AtoB].Root, trees[ChainDirection.BtoA].Root).AsSpan().SequenceEqual(latest.S.TranscriptRoot))
            {
                return Fail("the store's entries do not match the latest co-signed checkpoint: run 'hotline verify'");
            }
            var index = scoped.IndexOf(latest);
            foreach (var (d, seq, _, _) in chosen.Where(c => c.Seq <= latest.S.Count(c.D)))
            {
                proofs.Add(new BundleProof
                {
                    Direction = BundleJson.DirectionName(d),
                    Seq = seq,
                    Checkpoint = index,
                    Path = trees[d].Proof(seq - 1),
                    OtherRoot = trees[d == ChainDirection.AtoB ? ChainDirection.BtoA : ChainDirection.AtoB].Root,
                });
            }
        }
        if (ids is not null)
        {
            var uncovered = chosen.Where(c => latest.Raw is null || c.Seq > latest.S.Count(c.D)).ToList();
            if (uncovered.FirstOrDefault(c => c.Required) is { E: not null } first)
            {
                return Fail($"envelope {first.E.Id} ({Path(first.D)} seq {first.Seq}) is not covered by a co-signed checkpoint yet: "
                    + $"run 'hotline checkpoint --peer \"{peerCard.Name}\"' while the node runs, then export again");
            }
            foreach (var c in uncovered)
            {
                notes.Add($"left out the {EvidenceView.KindName(c.E.Kind)} envelope {Path(c.D)} seq {c.Seq} (of {c.E.Reference}): no co-signed checkpoint covers it yet");
                chosen.Remove(c);
            }
        }

        // Receipts the peer signed for our disclosed envelopes (all of them for a whole export).
        var ourSeqs = chosen.Where(c => c.D == outbound).Select(c => c.Seq).ToHashSet();
        var receipts = new List<BundleReceipt>();
        foreach (var row in reader.Receipts(request.PeerId))
        {
            if (row.Blob("body") is not { } body || row.Blob("signature") is not { } sig)
            {
                continue;
            }
            var opened = ReceiptCodec.Open(peerCard.Key, me.PublicKey, new SignedReceipt { Body = ByteString.CopyFrom(body), Signature = ByteString.CopyFrom(sig) });
            if (opened is null)
            {
                return Fail($"receipt {row.Long("receipt_id")} in the store does not verify: run 'hotline verify'");
            }
            if (!windowed || ReceiptCodec.Expand(opened).Concat(opened.Rejected.Select(r => (long)r.Seq)).Any(ourSeqs.Contains))
            {
                receipts.Add(new BundleReceipt { Body = body, Signature = sig });
            }
        }

        var ownCard = JsonDocument.Parse(request.OwnCardJson).RootElement.Clone();
        var theirCard = JsonDocument.Parse(peerCardJson).RootElement.Clone();
        var bundle = new EvidenceBundle
        {
            Format = EvidenceBundle.FormatName,
            Version = EvidenceBundle.CurrentVersion,
            ExportedAt = DateTimeOffset.FromUnixTimeMilliseconds(request.Now.ToUnixTimeMilliseconds()),
            ExportedBy = me.PublicKey.ToArray(),
            Scope = ids is not null ? new BundleScope { Kind = BundleScope.Selected, Ids = request.Only }
                : windowed ? new BundleScope { Kind = BundleScope.Window, From = request.From, To = request.To }
                : new BundleScope { Kind = BundleScope.All },
            Cards = outbound == ChainDirection.AtoB ? [ownCard, theirCard] : [theirCard, ownCard],
            Entries = chosen.OrderBy(c => c.D).ThenBy(c => c.Seq).Select(c => new BundleEntry
            {
                Direction = BundleJson.DirectionName(c.D),
                Seq = c.Seq,
                Body = scan[c.D].Disclosed[c.Seq].Body,
                Signature = scan[c.D].Disclosed[c.Seq].Signature,
            }).ToList(),
            Receipts = receipts,
            Checkpoints = scoped.Select(c => c.Raw).ToList(),
            Proofs = proofs,
            Signature = [],
        };
        return new BundleBuild(BundleVerifier.Sign(bundle, me), null, notes);

        BundleBuild Fail(string error) => new(null, error, notes);
    }

    private static EnvelopeBody Parse(byte[] body)
    {
        try
        {
            return EnvelopeBody.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException)
        {
            return new EnvelopeBody();
        }
    }

    /// <summary>What the builder keeps of one direction: every entry's hash, what is in scope, and the bodies of those disclosed.</summary>
    private sealed class DirectionScan
    {
        /// <summary>SHA-256 of each entry's body by seq; of two rows with one seq, the one read last.</summary>
        public Dictionary<long, byte[]> Hashes { get; } = [];
        /// <summary>Selected: the entries chosen by id or naming a chosen id.</summary>
        public SortedSet<long> Selected { get; } = [];
        /// <summary>Selected: every certification and what it certifies (it is disclosed if that is a disclosed translation).</summary>
        public List<(long Seq, Guid Reference)> Certifications { get; } = [];
        /// <summary>A window: the first and last seq of the entries created in it.</summary>
        public (long First, long Last)? Window { get; set; }
        public Dictionary<long, (byte[] Body, byte[] Signature)> Disclosed { get; } = [];

        /// <summary>Reads the bodies of <paramref name="seqs"/> (in order) again, as the scan took them: envelope rows, then refused entries.</summary>
        public void Read(StoreReader reader, string peerId, int direction, IReadOnlyList<long> seqs)
        {
            foreach (var (from, to) in Runs(seqs))
            {
                var rows = reader.Envelopes(peerId, direction, from, to);
                foreach (var row in direction == 0 ? rows : rows.Concat(reader.Refused(peerId, from, to)))
                {
                    if (row.Long("seq") is { } seq && row.Blob("body") is { } body && row.Blob("signature") is { } signature)
                    {
                        Disclosed[seq] = (body, signature);
                    }
                }
            }
        }

        /// <summary>The hashes of seq 1..count in order, or null when one is not held.</summary>
        public List<byte[]>? Prefix(long count)
        {
            var hashes = new List<byte[]>();
            for (var seq = 1L; seq <= count; seq++)
            {
                if (!Hashes.TryGetValue(seq, out var hash))
                {
                    return null;
                }
                hashes.Add(hash);
            }
            return hashes;
        }

        /// <summary>Sorted seqs as runs of consecutive ones, each read with one query.</summary>
        private static IEnumerable<(long From, long To)> Runs(IReadOnlyList<long> seqs)
        {
            for (var i = 0; i < seqs.Count;)
            {
                var j = i;
                while (j + 1 < seqs.Count && seqs[j + 1] == seqs[j] + 1)
                {
                    j++;
                }
                yield return (seqs[i], seqs[j]);
                i = j + 1;
            }
        }
    }
}
