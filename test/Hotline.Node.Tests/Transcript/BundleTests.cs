using System.Text;
using System.Text.Json;
using Hotline.Core.Transcript.Evidence;
using Hotline.Node.Hosting;
using Hotline.Storage.Transcript;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Transcript;

/// <summary>Evidence bundles exported from the stopped record, checked offline.</summary>
[Collection(RecordCollection.Name)]
public sealed class BundleTests(RecordFixture record) : IDisposable
{
    private readonly TempFolder _temp = new("bundle");

    public void Dispose() => _temp.Dispose();

    private static byte[] Export(string folder, string peerId, DateTimeOffset? from = null, DateTimeOffset? to = null, IReadOnlyList<Guid>? only = null)
    {
        var build = Build(folder, peerId, from, to, only);
        Assert.True(build.Error is null, build.Error);
        return BundleJson.Serialize(build.Bundle!);
    }

    private static BundleBuild Build(string folder, string peerId, DateTimeOffset? from = null, DateTimeOffset? to = null, IReadOnlyList<Guid>? only = null)
    {
        var data = new DataFolder(folder);
        using var identity = data.LoadIdentity();
        using var reader = StoreReader.Open(data.DatabaseFile);
        return BundleBuilder.Build(reader, identity, new BundleRequest
        {
            PeerId = peerId,
            OwnCardJson = data.CreateCard(data.LoadConfig()).ToJson(),
            From = from,
            To = to,
            Only = only,
            Now = DateTimeOffset.UtcNow,
        });
    }

    private static BundleReport AssertValid(byte[] bytes)
    {
        var report = BundleVerifier.Verify(bytes);
        Assert.True(report.Ok, string.Join("\n", report.Problems));
        return report;
    }

    [Fact]
    public void A_whole_export_verifies_offline_summarises_the_exchange_and_renders_escaped_html()
    {
        var report = AssertValid(Export(record.FolderA, record.IdB));
        Assert.Equal(12, report.Entries.Count);
        Assert.Single(report.Checkpoints);
        // Everything up to the checkpoint is covered by recomputing its root; the tail only by signature and receipt.
        Assert.Equal(11, report.Entries.Count(e => e.How == VerifiedEntry.ByPrefix));
        var tail = Assert.Single(report.Entries, e => e.How is null);
        Assert.Equal(record.Tail.Id, tail.Envelope.Id);
        Assert.NotNull(tail.Receipted);

        var summary = string.Join("\n", BundleSummary.Lines(report));
        Assert.Contains("fingerprint", summary, StringComparison.Ordinal);
        Assert.Contains("acknowledged by Cdr Li", summary, StringComparison.Ordinal);
        Assert.Contains("seen by Lt Wang", summary, StringComparison.Ordinal);

        var html = HtmlReport.Render(report);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>bold</b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;", html, StringComparison.Ordinal);
        Assert.Contains("Agreed &lt;b&gt;0900Z&lt;/b&gt; &amp; out", html, StringComparison.Ordinal);
        Assert.Contains("acknowledged by Cdr Li", html, StringComparison.Ordinal);
        Assert.Contains("FLASH", html, StringComparison.Ordinal);
        Assert.Contains("Verified.", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_nodes_export_the_same_co_signed_checkpoint()
    {
        var fromA = AssertValid(Export(record.FolderA, record.IdB));
        var fromB = AssertValid(Export(record.FolderB, record.IdA));
        Assert.Equal(fromA.Bundle!.Checkpoints[0].Body, fromB.Bundle!.Checkpoints[0].Body);
        Assert.Equal(fromA.Entries.Select(e => e.Entry.Hash), fromB.Entries.Select(e => e.Entry.Hash));
    }

    [Fact]
    public void Changing_any_single_byte_of_a_bundle_makes_it_fail_with_a_reason()
    {
        var bytes = Export(record.FolderA, record.IdB, only: [record.FromA[1].Id]);
        AssertValid(bytes);
        var reasons = new Dictionary<string, int>();
        var positions = Enumerable.Range(0, bytes.Length).Where(i => i % Math.Max(1, bytes.Length / 700) == 0 || i < 200 || i > bytes.Length - 200).ToList();
        foreach (var i in positions)
        {
            foreach (var flip in new byte[] { 0x01, 0x20 })
            {
                var altered = (byte[])bytes.Clone();
                altered[i] ^= flip;
                var report = BundleVerifier.Verify(altered);
                Assert.False(report.Ok, $"a bundle with byte {i} changed ({(char)bytes[i]} → {(char)altered[i]}) verified");
                var reason = report.Problems[0];
                Assert.False(string.IsNullOrWhiteSpace(reason));
                var kind = reason.Split(':')[0];
                reasons[kind] = reasons.GetValueOrDefault(kind) + 1;
            }
        }
        Assert.True(positions.Count > 600, $"only {positions.Count} positions");
        // The reasons say where: not only "does not parse" but entries, cards, checkpoints, proofs, the exporter's signature.
        Assert.True(reasons.Count >= 5, string.Join(", ", reasons.Select(r => $"{r.Key} ×{r.Value}")));
    }

    [Fact]
    public void A_byte_changed_inside_an_entry_body_is_reported_at_that_entry()
    {
        var bytes = Export(record.FolderA, record.IdB);
        var original = AssertValid(bytes);
        var bundle = original.Bundle!;
        var entry = bundle.Entries[2];
        var path = entry.Direction == "AB" ? $"{original.CardA!.Name} → {original.CardB!.Name}" : $"{original.CardB!.Name} → {original.CardA!.Name}";
        var body = Convert.ToBase64String(entry.Body);
        var at = Encoding.UTF8.GetString(bytes).IndexOf(body, StringComparison.Ordinal) + body.Length / 2;
        var altered = (byte[])bytes.Clone();
        altered[at] = (byte)(altered[at] == 'A' ? 'B' : 'A');
        var report = BundleVerifier.Verify(altered);
        Assert.StartsWith($"entry {path} seq {entry.Seq}: the signature does not verify", report.Problems[0], StringComparison.Ordinal);
        Assert.Contains(report.Problems, p => p.StartsWith("the exporter's signature", StringComparison.Ordinal));
    }

    [Fact]
    public void Selective_disclosure_proves_one_message_and_its_answers_and_reveals_no_other_text()
    {
        var chosen = record.FromA[1]; // acknowledged by Cdr Li
        var bytes = Export(record.FolderA, record.IdB, only: [chosen.Id]);
        var report = AssertValid(bytes);
        Assert.Equal(2, report.Entries.Count);
        Assert.All(report.Entries, e => Assert.Equal(VerifiedEntry.ByProof, e.How));
        Assert.Contains(report.Entries, e => e.Envelope.Id == chosen.Id && e.Envelope.Text == chosen.Text);
        Assert.Contains(report.Entries, e => e.Envelope.Reference == chosen.Id && e.Envelope.Actor == "Cdr Li");
        Assert.Equal(BundleScope.Selected, report.Bundle!.Scope.Kind);

        var file = Encoding.UTF8.GetString(bytes);
        var disclosed = string.Join("\n", report.Entries.Select(e => e.Envelope.Text));
        foreach (var (_, text) in record.FromA.Concat(record.FromB).Append(record.Tail).Where(m => m.Id != chosen.Id))
        {
            Assert.DoesNotContain(text, file, StringComparison.Ordinal);
            Assert.DoesNotContain(text, disclosed, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(text))[..12], file, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("Lt Wang", disclosed, StringComparison.Ordinal); // B's seen of another message
    }

    [Fact]
    public void A_forged_or_missing_inclusion_proof_is_reported_as_such()
    {
        var bytes = Export(record.FolderA, record.IdB, only: [record.FromA[2].Id]);
        var bundle = JsonSerializer.Deserialize<EvidenceBundle>(bytes, BundleJson.Options)!;
        var proof = bundle.Proofs[0];
        var bent = proof with { Path = [.. proof.Path.Select((p, i) => i == 0 ? [(byte)(p[0] ^ 1), .. p[1..]] : p)] };
        var forged = BundleVerifier.Verify(BundleJson.Serialize(bundle with { Proofs = [bent] }));
        Assert.StartsWith("proof for Node A → Node B seq 3: the proof does not lead to the co-signed root of checkpoint 1", forged.Problems[0], StringComparison.Ordinal);

        var without = BundleVerifier.Verify(BundleJson.Serialize(bundle with { Proofs = [] }));
        Assert.StartsWith("entry Node A → Node B seq 3 is disclosed without proof", without.Problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_after_the_latest_checkpoint_cannot_be_disclosed_selectively_until_one_covers_it()
    {
        var build = Build(record.FolderA, record.IdB, only: [record.Tail.Id]);
        Assert.Null(build.Bundle);
        Assert.Contains("(Node A → Node B seq 7) is not covered by a co-signed checkpoint yet: run 'hotline checkpoint --peer \"Node B\"'", build.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_window_export_proves_every_entry_against_the_checkpoint()
    {
        var whole = AssertValid(Export(record.FolderA, record.IdB));
        var times = whole.Entries.Select(e => e.Envelope.Created).Order().ToList();
        var from = times[3];
        var to = times[^3];
        var report = AssertValid(Export(record.FolderA, record.IdB, from, to));
        var expected = whole.Entries.Count(e => e.Envelope.Created >= from && e.Envelope.Created <= to);
        Assert.Equal(expected, report.Entries.Count);
        Assert.All(report.Entries.Where(e => e.Envelope.Id != record.Tail.Id), e => Assert.NotNull(e.How));
        Assert.Equal(BundleScope.Window, report.Bundle!.Scope.Kind);
    }

    [Fact]
    public async Task Cli_export_and_verify_bundle_round_trip_and_every_bad_input_gets_a_one_line_error()
    {
        var bundle = _temp.Combine("record.json");
        var html = _temp.Combine("record.html");
        var export = await HotlineCli.RunAsync("export", "--data", record.FolderA, "--peer", "node b", "--out", bundle, "--html", html);
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains("<", File.ReadAllText(html), StringComparison.Ordinal);

        var printable = _temp.Combine("again.html");
        var ok = await HotlineCli.RunAsync("verify-bundle", bundle, "--html", printable);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("&lt;script&gt;", File.ReadAllText(printable), StringComparison.Ordinal);
        Assert.Contains("VALID", ok.Stdout, StringComparison.Ordinal);
        Assert.Contains("acknowledged by Cdr Li", ok.Stdout, StringComparison.Ordinal);

        var bytes = File.ReadAllBytes(bundle);
        bytes[bytes.Length / 2] ^= 0x01;
        var altered = _temp.Combine("altered.json");
        File.WriteAllBytes(altered, bytes);
        var notJson = _temp.Combine("not.json");
        File.WriteAllText(notJson, "hello");

        async Task Refused(string expected, params string[] args)
        {
            var r = await HotlineCli.RunAsync(args);
            Assert.True(r.ExitCode != 0, r.ToString());
            var line = Assert.Single(r.StderrLines);
            Assert.Contains(expected, line, StringComparison.Ordinal);
        }
        await Refused("does NOT verify", "verify-bundle", altered);
        await Refused("not a Hotline evidence bundle", "verify-bundle", notJson);
        await Refused("no file at", "verify-bundle", _temp.Combine("missing.json"));
        await Refused("unknown peer 'nobody'", "export", "--data", record.FolderA, "--peer", "nobody", "--out", _temp.Combine("x.json"));
        await Refused("--from 'yesterday' is not a date-time: use ISO 8601", "export", "--data", record.FolderA, "--peer", "Node B", "--from", "yesterday", "--out", _temp.Combine("x.json"));
        await Refused("--only: 'abc' is not a message id", "export", "--data", record.FolderA, "--peer", "Node B", "--only", "abc", "--out", _temp.Combine("x.json"));
        await Refused("no envelope", "export", "--data", record.FolderA, "--peer", "Node B", "--only", Guid.NewGuid().ToString(), "--out", _temp.Combine("x.json"));
        await Refused("does not exist", "export", "--data", record.FolderA, "--peer", "Node B", "--out", _temp.Combine("no/such/dir/x.json"));
    }
}
