using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Core.Messages;
using Hotline.Core.Pairing;
using Hotline.Core.Transcript;
using Hotline.Core.Transcript.Evidence;
using Xunit;

namespace Hotline.Core.Tests.Transcript;

/// <summary>The offline verifier on synthetic transcripts: many entries, many checkpoints.</summary>
public sealed class BundleVerifierTests : IDisposable
{
    private readonly NodeIdentity _x = NodeIdentity.Create();
    private readonly NodeIdentity _y = NodeIdentity.Create();

    public void Dispose()
    {
        _x.Dispose();
        _y.Dispose();
    }

    private static List<Envelope> Chain(NodeIdentity from, NodeIdentity to, int count)
    {
        var list = new List<Envelope>();
        byte[] prev = [];
        var t = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
        for (var i = 1; i <= count; i++)
        {
            var e = EnvelopeCodec.Seal(from, to.PublicKey, new EnvelopeDraft { Channel = "navy", Text = $"{from.PublicKey.Id} {i}", Label = Label.Default },
                i, prev, t.AddSeconds(i));
            list.Add(e);
            prev = e.Hash;
        }
        return list;
    }

    private static JsonElement Card(NodeIdentity n) => JsonDocument.Parse(PairingCard.Create(n, $"Node {n.PublicKey.Id}",
        Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), ["https://127.0.0.1:1"], ["navy"], DateTimeOffset.UnixEpoch).ToJson()).RootElement.Clone();

    /// <summary>A whole-transcript bundle with a checkpoint after every <paramref name="every"/> entries of each direction.</summary>
    private EvidenceBundle Whole(int count, int every, out NodeIdentity a, out NodeIdentity b)
    {
        (a, b) = _x.PublicKey.CompareTo(_y.PublicKey) < 0 ? (_x, _y) : (_y, _x);
        var ab = Chain(a, b, count);
        var ba = Chain(b, a, count);
        var sides = LinkSides.Of(a.PublicKey, b.PublicKey);
        var checkpoints = new List<BundleCheckpoint>();
        for (var n = every; n <= count; n += every)
        {
            var statement = new CheckpointStatement
            {
                Sides = sides,
                CountAtoB = n,
                HeadAtoB = ab[n - 1].Hash,
                CountBtoA = n,
                HeadBtoA = ba[n - 1].Hash,
                TranscriptRoot = Merkle.TranscriptRoot(Merkle.Root(ab.Take(n).Select(e => e.Hash)), Merkle.Root(ba.Take(n).Select(e => e.Hash))),
                Created = DateTimeOffset.UnixEpoch.AddSeconds(n),
                Proposer = a.PublicKey,
            };
            var body = CheckpointCodec.Encode(statement);
            checkpoints.Add(new BundleCheckpoint { Body = body, SignatureA = CheckpointCodec.Sign(a, body), SignatureB = CheckpointCodec.Sign(b, body) });
        }
        var bundle = new EvidenceBundle
        {
            Format = EvidenceBundle.FormatName,
            Version = EvidenceBundle.CurrentVersion,
            ExportedAt = DateTimeOffset.UnixEpoch,
            ExportedBy = a.PublicKey.ToArray(),
            Scope = new BundleScope { Kind = BundleScope.All },
            Cards = [Card(a), Card(b)],
            Entries = [.. ab.Select(e => Entry("AB", e)), .. ba.Select(e => Entry("BA", e))],
            Receipts = [],
            Checkpoints = checkpoints,
            Proofs = [],
            Signature = [],
        };
        return BundleVerifier.Sign(bundle, a);
    }

    private static BundleEntry Entry(string d, Envelope e) => new() { Direction = d, Seq = e.Seq, Body = e.Body, Signature = e.Signature };

    [Fact]
    public void A_long_transcript_with_many_checkpoints_verifies_in_one_pass_and_each_entry_names_the_latest_checkpoint_covering_it()
    {
        var bundle = Whole(3000, 250, out _, out _);
        var watch = Stopwatch.StartNew();
        var report = BundleVerifier.Verify(BundleJson.Serialize(bundle));
        watch.Stop();
        Assert.True(report.Ok, string.Join("\n", report.Problems));
        Assert.Equal(12, report.Checkpoints.Count);
        Assert.All(report.Entries, e => Assert.Equal(VerifiedEntry.ByPrefix, e.How));
        // The latest checkpoint covers everything; an entry's checkpoint is the latest one that reaches it.
        Assert.All(report.Entries, e => Assert.Equal(11, e.Checkpoint));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_checkpoint_whose_root_does_not_match_the_entries_is_named()
    {
        var bundle = Whole(40, 10, out var a, out var b);
        var bad = CheckpointCodec.Decode(bundle.Checkpoints[2].Body).Statement! with { TranscriptRoot = SHA256.HashData([1]) };
        var body = CheckpointCodec.Encode(bad);
        var forged = bundle with
        {
            Checkpoints = [.. bundle.Checkpoints.Select((c, i) => i == 2 ? new BundleCheckpoint { Body = body, SignatureA = CheckpointCodec.Sign(a, body), SignatureB = CheckpointCodec.Sign(b, body) } : c)],
        };
        var report = BundleVerifier.Verify(BundleJson.Serialize(BundleVerifier.Sign(forged, a)));
        Assert.Equal(["checkpoint 3: its Merkle root does not match the entries in the bundle"], report.Problems);
    }

    [Fact]
    public void A_whole_export_that_leaves_out_a_checkpointed_entry_is_refused_but_an_uncovered_tail_is_not()
    {
        var bundle = Whole(40, 10, out var a, out _);
        var gap = bundle with { Entries = [.. bundle.Entries.Where(e => !(e.Direction == "AB" && e.Seq == 25))] };
        var report = BundleVerifier.Verify(BundleJson.Serialize(BundleVerifier.Sign(gap, a)));
        var problem = Assert.Single(report.Problems);
        Assert.StartsWith("the bundle leaves out Node ", problem, StringComparison.Ordinal);
        Assert.EndsWith("seq 25, inside its scope (the whole transcript), though checkpoint 3 covers it", problem, StringComparison.Ordinal);

        // Entries after the last checkpoint may still be in flight to the exporter: not an omission.
        var shorter = Whole(40, 10, out a, out _);
        var lastOut = shorter with
        {
            Checkpoints = [.. shorter.Checkpoints.Take(3)],
            Entries = [.. shorter.Entries.Where(e => !(e.Direction == "BA" && e.Seq == 35))],
        };
        var ok = BundleVerifier.Verify(BundleJson.Serialize(BundleVerifier.Sign(lastOut, a)));
        Assert.True(ok.Ok, string.Join("\n", ok.Problems));
        Assert.All(ok.Entries.Where(e => e.Entry.Seq <= 30), e => Assert.Equal(2, e.Checkpoint));
        Assert.All(ok.Entries.Where(e => e.Entry.Seq > 30), e => Assert.Null(e.How));
    }
}
