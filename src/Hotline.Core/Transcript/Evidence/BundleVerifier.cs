using System.Text.Json;
using Google.Protobuf;
using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Core.Pairing;
using Hotline.Protocol;

namespace Hotline.Core.Transcript.Evidence;

/// <summary>
/// Checks an evidence bundle offline, with nothing but the file: its canonical form, both cards,
/// every entry's signature and chain link, the receipts, both signatures of every checkpoint, the
/// checkpoints' heads and roots against the entries, every inclusion proof, and the exporter's
/// signature over the whole file.
/// </summary>
public static class BundleVerifier
{
    public static BundleReport Verify(byte[] file)
    {
        EvidenceBundle? bundle;
        try
        {
            bundle = JsonSerializer.Deserialize<EvidenceBundle>(file, BundleJson.Options);
        }
        catch (JsonException e)
        {
            return Fail($"not a Hotline evidence bundle: {e.Message}");
        }
        if (bundle is null)
        {
            return Fail("not a Hotline evidence bundle: the file holds null");
        }
        if (bundle.Format != EvidenceBundle.FormatName || bundle.Version != EvidenceBundle.CurrentVersion)
        {
            return Fail($"not a version {EvidenceBundle.CurrentVersion} Hotline evidence bundle (format '{bundle.Format}', version {bundle.Version})");
        }
        var canonical = BundleJson.Serialize(bundle);
        if (!canonical.AsSpan().SequenceEqual(file))
        {
            var at = FirstDifference(canonical, file);
            var line = file.AsSpan(0, Math.Min(at, file.Length)).Count((byte)'\n') + 1;
            return Fail($"the file is not in canonical form: byte {at} (line {line}) differs from what its content serialises to, so it was altered after export");
        }
        if (bundle.Cards.Count != 2)
        {
            return Fail($"the bundle holds {bundle.Cards.Count} pairing cards, not the 2 of the link's nodes", bundle);
        }
        var cards = new PairingCard[2];
        for (var i = 0; i < 2; i++)
        {
            var parsed = PairingCard.Parse(bundle.Cards[i].GetRawText());
            if (parsed.Card is not { } card)
            {
                return Fail($"card {(i == 0 ? "A" : "B")}: {parsed.Error}", bundle);
            }
            cards[i] = card;
        }
        if (cards[0].Key.CompareTo(cards[1].Key) >= 0)
        {
            return Fail("the cards are not those of two nodes in order (node A, with the lower key, first)", bundle);
        }
        var sides = LinkSides.Of(cards[0].Key, cards[1].Key);
        if (!NodeKey.TryFromBytes(bundle.ExportedBy, out var exporter) || !sides.Holds(exporter!))
        {
            return Fail("exportedBy is not the key of either node", bundle);
        }

        var problems = new List<string>();
        string Path(ChainDirection d) => d == ChainDirection.AtoB ? $"{cards[0].Name} → {cards[1].Name}" : $"{cards[1].Name} → {cards[0].Name}";
        var entries = CheckEntries(bundle, sides, Path, problems);
        var receipts = CheckReceipts(bundle, sides, problems);
        var checkpoints = CheckCheckpoints(bundle, sides, entries, Path, problems);
        var proven = CheckProofs(bundle, checkpoints, entries, Path, problems);
        var complete = CompleteCheckpoints(checkpoints, entries);
        if (bundle.Scope.Kind != BundleScope.Selected)
        {
            CheckNothingLeftOut(bundle, bundle.Scope.Kind == BundleScope.All, entries, checkpoints, Path, problems);
        }

        var receipted = new Dictionary<(ChainDirection, long), DateTimeOffset>();
        var refusals = new Dictionary<(ChainDirection, long), string>();
        foreach (var (d, body) in receipts)
        {
            foreach (var seq in ReceiptCodec.Expand(body).Where(s => entries.ContainsKey((d, s))))
            {
                receipted.TryAdd((d, seq), DateTimeOffset.FromUnixTimeMilliseconds(body.CommittedUnixMs));
            }
            foreach (var r in body.Rejected.Where(r => r.Seq <= long.MaxValue))
            {
                refusals.TryAdd((d, (long)r.Seq), r.Reason);
            }
        }
        var latestCovering = new[] { ChainDirection.AtoB, ChainDirection.BtoA }
            .ToDictionary(d => d, d => LatestCovering(complete.Select(i => (i, checkpoints[i]!.Count(d))).ToList()));
        var verified = new List<VerifiedEntry>();
        foreach (var e in entries.Values)
        {
            int? cp = proven.TryGetValue((e.Direction, e.Seq), out var p) ? p : null;
            var how = cp is null ? null : VerifiedEntry.ByProof;
            if (latestCovering[e.Direction](e.Seq) is { } c && (cp is null || c > cp))
            {
                (cp, how) = (c, VerifiedEntry.ByPrefix);
            }
            verified.Add(new VerifiedEntry
            {
                Entry = e,
                Envelope = e.Decode(),
                Checkpoint = cp,
                How = how,
                Receipted = receipted.TryGetValue((e.Direction, e.Seq), out var at) ? at : null,
                RejectedByRecipient = refusals.GetValueOrDefault((e.Direction, e.Seq)),
            });
        }
        if (bundle.Scope.Kind == BundleScope.Selected)
        {
            foreach (var v in verified.Where(v => v.How != VerifiedEntry.ByProof && v.How != VerifiedEntry.ByPrefix))
            {
                problems.Add($"entry {Path(v.Entry.Direction)} seq {v.Entry.Seq} is disclosed without proof that it is part of a co-signed checkpoint");
            }
            foreach (var id in bundle.Scope.Ids ?? [])
            {
                if (!verified.Any(v => v.Envelope.Id == id))
                {
                    problems.Add($"the scope names envelope {id}, but the bundle does not disclose it");
                }
            }
        }
        if (!SignatureDomain.Verify(exporter!, SignatureDomain.Bundle, BundleJson.Serialize(bundle with { Signature = [] }), bundle.Signature))
        {
            problems.Add($"the exporter's signature over the bundle ({exporter!.Id}) does not verify, so the file was altered after export");
        }
        return new BundleReport
        {
            Problems = problems,
            Bundle = bundle,
            CardA = cards[0],
            CardB = cards[1],
            Sides = sides,
            Entries = verified,
            Checkpoints = checkpoints.Where(c => c is not null).Cast<CheckpointStatement>().ToList(),
            Receipts = receipts,
        };
    }

    /// <summary>
    /// A whole export holds every entry from seq 1, and a window every entry between its first and
    /// last of a direction: an entry a checkpoint of the bundle covers must not be missing there.
    /// (One no checkpoint covers may simply not have reached the exporter yet.)
    /// </summary>
    private static void CheckNothingLeftOut(EvidenceBundle bundle, bool whole, SortedDictionary<(ChainDirection Direction, long Seq), ChainEntry> entries,
        List<CheckpointStatement?> checkpoints, Func<ChainDirection, string> path, List<string> problems)
    {
        var listed = bundle.Entries.Select(e => (BundleJson.ParseDirection(e.Direction), e.Seq)).ToHashSet();
        foreach (var d in new[] { ChainDirection.AtoB, ChainDirection.BtoA })
        {
            var seqs = listed.Where(x => x.Item1 == d).Select(x => x.Seq).ToList();
            var covered = checkpoints.Where(c => c is not null).Select(c => c!.Count(d)).DefaultIfEmpty(0).Max();
            var first = whole ? 1 : seqs.DefaultIfEmpty(1).Min();
            var last = whole ? Math.Max(covered, seqs.DefaultIfEmpty(0).Max()) : seqs.DefaultIfEmpty(0).Max();
            for (var seq = first; seq <= Math.Min(last, covered); seq++)
            {
                if (!listed.Contains((d, seq)))
                {
                    var index = checkpoints.FindIndex(c => c is not null && c.Count(d) >= seq);
                    problems.Add($"the bundle leaves out {path(d)} seq {seq}, inside its scope ({(whole ? "the whole transcript" : "its window")}), though checkpoint {index + 1} covers it");
                    break;
                }
            }
        }
    }

    /// <summary>Signs a bundle as the exporting node: over its canonical form with the signature empty.</summary>
    public static EvidenceBundle Sign(EvidenceBundle bundle, NodeIdentity exporter) => bundle with
    {
        ExportedBy = exporter.PublicKey.ToArray(),
        Signature = SignatureDomain.Sign(exporter, SignatureDomain.Bundle,
            BundleJson.Serialize(bundle with { ExportedBy = exporter.PublicKey.ToArray(), Signature = [] })),
    };

    private static BundleReport Fail(string problem, EvidenceBundle? bundle = null) => new() { Problems = [problem], Bundle = bundle };

    private static int FirstDifference(byte[] a, byte[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        var i = a.AsSpan(0, n).CommonPrefixLength(b.AsSpan(0, n));
        return i;
    }

    private static SortedDictionary<(ChainDirection Direction, long Seq), ChainEntry> CheckEntries(EvidenceBundle bundle, LinkSides sides,
        Func<ChainDirection, string> path, List<string> problems)
    {
        var entries = new SortedDictionary<(ChainDirection, long), ChainEntry>();
        var verified = new VerifiedRoots();
        (ChainDirection, long)? last = null;
        for (var i = 0; i < bundle.Entries.Count; i++)
        {
            var b = bundle.Entries[i];
            if (BundleJson.ParseDirection(b.Direction) is not { } d)
            {
                problems.Add($"entry {i}: direction '{b.Direction}' is neither AB nor BA");
                continue;
            }
            var name = $"entry {path(d)} seq {b.Seq}";
            if (last is { } l && (d, b.Seq).CompareTo(l) <= 0)
            {
                problems.Add($"{name}: entries are not in order (direction, then seq) or repeat one");
                continue;
            }
            last = (d, b.Seq);
            var open = ChainEntry.Open(sides, d, b.Body, b.Signature, verified);
            if (open.Entry is not { } entry)
            {
                problems.Add($"{name}: {open.Error}");
                continue;
            }
            if (entry.Seq != b.Seq)
            {
                problems.Add($"{name}: its signed envelope is seq {entry.Seq}");
                continue;
            }
            if (entries.TryGetValue((d, entry.Seq - 1), out var before) && !before.Hash.AsSpan().SequenceEqual(entry.PrevHash))
            {
                problems.Add($"{name}: prev_hash is not the hash of seq {entry.Seq - 1} in the bundle (the chain is broken)");
            }
            entries[(d, entry.Seq)] = entry;
        }
        return entries;
    }

    private static List<(ChainDirection Direction, ReceiptBody Body)> CheckReceipts(EvidenceBundle bundle, LinkSides sides, List<string> problems)
    {
        var list = new List<(ChainDirection, ReceiptBody)>();
        for (var i = 0; i < bundle.Receipts.Count; i++)
        {
            var r = bundle.Receipts[i];
            var signed = new SignedReceipt { Body = ByteString.CopyFrom(r.Body), Signature = ByteString.CopyFrom(r.Signature) };
            ReceiptBody? body = null;
            foreach (var d in new[] { ChainDirection.AtoB, ChainDirection.BtoA })
            {
                body ??= ReceiptCodec.Open(sides.Recipient(d), sides.Sender(d), signed) is { } ok ? ok : null;
                if (body is not null)
                {
                    list.Add((d, body));
                    break;
                }
            }
            if (body is null)
            {
                problems.Add($"receipt {i}: does not verify with the key of the node it names as receiver");
            }
        }
        return list;
    }

    private static List<CheckpointStatement?> CheckCheckpoints(EvidenceBundle bundle, LinkSides sides,
        SortedDictionary<(ChainDirection Direction, long Seq), ChainEntry> entries, Func<ChainDirection, string> path, List<string> problems)
    {
        var list = new List<CheckpointStatement?>();
        for (var i = 0; i < bundle.Checkpoints.Count; i++)
        {
            var c = bundle.Checkpoints[i];
            var open = CheckpointCodec.Open(c.Body, c.SignatureA, c.SignatureB);
            if (open.Statement is not { } s)
            {
                problems.Add($"checkpoint {i + 1}: {open.Error}");
                list.Add(null);
                continue;
            }
            if (s.Sides != sides)
            {
                problems.Add($"checkpoint {i + 1}: it is about other nodes than the bundle's cards");
                list.Add(null);
                continue;
            }
            foreach (var d in new[] { ChainDirection.AtoB, ChainDirection.BtoA })
            {
                var n = s.Count(d);
                if (n > 0 && entries.TryGetValue((d, n), out var head) && !head.Hash.AsSpan().SequenceEqual(s.Head(d)))
                {
                    problems.Add($"checkpoint {i + 1}: its head of {path(d)} is not the hash of seq {n} in the bundle");
                }
            }
            list.Add(s);
        }
        // Roots of checkpoints whose whole prefixes the bundle holds: one pass per direction.
        var complete = CompleteCheckpoints(list, entries);
        var ab = PrefixRoots(entries, ChainDirection.AtoB, complete.Select(i => list[i]!.CountAtoB));
        var ba = PrefixRoots(entries, ChainDirection.BtoA, complete.Select(i => list[i]!.CountBtoA));
        foreach (var i in complete)
        {
            var s = list[i]!;
            if (!Merkle.TranscriptRoot(ab[s.CountAtoB], ba[s.CountBtoA]).AsSpan().SequenceEqual(s.TranscriptRoot))
            {
                problems.Add($"checkpoint {i + 1}: its Merkle root does not match the entries in the bundle");
            }
        }
        return list;
    }

    /// <summary>The largest k such that the bundle holds entries 1..k of the direction.</summary>
    private static long Contiguous(SortedDictionary<(ChainDirection Direction, long Seq), ChainEntry> entries, ChainDirection d)
    {
        long k = 0;
        foreach (var key in entries.Keys.Where(key => key.Direction == d))
        {
            if (key.Seq != k + 1)
            {
                break;
            }
            k++;
        }
        return k;
    }

    /// <summary>Roots of the direction's prefixes 1..k for each k wanted (all held), in one pass.</summary>
    private static Dictionary<long, byte[]> PrefixRoots(SortedDictionary<(ChainDirection Direction, long Seq), ChainEntry> entries, ChainDirection d,
        IEnumerable<long> counts)
    {
        var wanted = new SortedSet<long>(counts);
        var roots = new Dictionary<long, byte[]>();
        var frontier = new MerkleFrontier();
        if (wanted.Remove(0))
        {
            roots[0] = frontier.Root();
        }
        foreach (var (key, entry) in entries.Where(e => e.Key.Direction == d))
        {
            if (wanted.Count == 0)
            {
                break;
            }
            frontier.Append(entry.Hash);
            if (wanted.Remove(key.Seq))
            {
                roots[key.Seq] = frontier.Root();
            }
        }
        return roots;
    }

    /// <summary>
    /// For a seq, the last checkpoint (by index) among <paramref name="checkpoints"/> whose count
    /// reaches it: a binary search over the suffix maxima of the counts.
    /// </summary>
    private static Func<long, int?> LatestCovering(List<(int Index, long Count)> checkpoints)
    {
        var suffixMax = new long[checkpoints.Count];
        for (var j = checkpoints.Count - 1; j >= 0; j--)
        {
            suffixMax[j] = Math.Max(checkpoints[j].Count, j + 1 < checkpoints.Count ? suffixMax[j + 1] : 0);
        }
        return seq =>
        {
            int lo = 0, hi = checkpoints.Count - 1, found = -1;
            while (lo <= hi)
            {
                var mid = (lo + hi) / 2;
                if (suffixMax[mid] >= seq)
                {
                    found = mid;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }
            return found < 0 ? null : checkpoints[found].Index;
        };
    }

    /// <summary>Indexes of checkpoints whose whole prefix the bundle holds (their root is recomputed).</summary>
    private static List<int> CompleteCheckpoints(List<CheckpointStatement?> checkpoints, SortedDictionary<(ChainDirection Direction, long Seq), ChainEntry> entries)
    {
        var ab = Contiguous(entries, ChainDirection.AtoB);
        var ba = Contiguous(entries, ChainDirection.BtoA);
        return [.. Enumerable.Range(0, checkpoints.Count).Where(i => checkpoints[i] is { } s && s.CountAtoB <= ab && s.CountBtoA <= ba)];
    }

    private static Dictionary<(ChainDirection, long), int> CheckProofs(EvidenceBundle bundle, List<CheckpointStatement?> checkpoints,
        SortedDictionary<(ChainDirection Direction, long Seq), ChainEntry> entries, Func<ChainDirection, string> path, List<string> problems)
    {
        var proven = new Dictionary<(ChainDirection, long), int>();
        foreach (var p in bundle.Proofs)
        {
            var d = BundleJson.ParseDirection(p.Direction);
            var name = $"proof for {(d is { } x ? path(x) : p.Direction)} seq {p.Seq}";
            if (d is null || !entries.TryGetValue((d.Value, p.Seq), out var entry))
            {
                problems.Add($"{name}: the bundle holds no such entry (or it does not verify)");
                continue;
            }
            if (p.Checkpoint < 0 || p.Checkpoint >= checkpoints.Count || checkpoints[p.Checkpoint] is not { } s)
            {
                problems.Add($"{name}: checkpoint index {p.Checkpoint} is not a valid checkpoint of the bundle");
                continue;
            }
            var size = s.Count(d.Value);
            var root = p.OtherRoot.Length == Merkle.HashBytes ? Merkle.RootFromInclusion(Merkle.Leaf(entry.Hash), p.Seq - 1, size, p.Path) : null;
            if (root is null)
            {
                problems.Add($"{name}: the audit path does not fit checkpoint {p.Checkpoint + 1}, which covers {size} entries of that direction");
                continue;
            }
            var combined = d == ChainDirection.AtoB ? Merkle.TranscriptRoot(root, p.OtherRoot) : Merkle.TranscriptRoot(p.OtherRoot, root);
            if (!combined.AsSpan().SequenceEqual(s.TranscriptRoot))
            {
                problems.Add($"{name}: the proof does not lead to the co-signed root of checkpoint {p.Checkpoint + 1}");
                continue;
            }
            proven[(d.Value, p.Seq)] = Math.Max(p.Checkpoint, proven.GetValueOrDefault((d.Value, p.Seq), -1));
        }
        return proven;
    }
}
