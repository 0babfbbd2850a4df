using Hotline.Core.Catalog;
using Hotline.Core.Envelopes;
using Hotline.Core.Messages;
using Hotline.Core.Transcript.Evidence;
using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Protocol;
using Hotline.Storage;
using Hotline.Storage.Transcript;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Messaging;

/// <summary>Each side in its own language: catalog messages, language tags, translations and their certification.</summary>
public sealed class LanguageTests
{
    /// <summary>A Korean node A and a Chinese node B.</summary>
    private static Task<TwoNodeCluster> KoreanAndChineseAsync() => TwoNodeCluster.StartAsync(new ClusterOptions
    {
        Node = new TestNodeOptions { Configure = c => c with { Language = c.Name == "Node A" ? "ko" : "zh" } },
    });

    /// <summary>A catalog message with a position and at least one other parameter, and valid values for all of them.</summary>
    private static (CatalogMessage Message, Dictionary<string, string> Values) PositionMessage()
    {
        var message = MessageCatalog.Default.Messages.First(m => m.Parameters.Any(p => p.Type == ParameterType.Position) && m.Parameters.Count >= 2);
        var values = message.Parameters.ToDictionary(p => p.Name, p => p.Type switch
        {
            ParameterType.Position => "37.5,124.25",
            ParameterType.Callsign => "DDG-991",
            ParameterType.Bearing or ParameterType.Course => "270",
            ParameterType.Speed => "12",
            ParameterType.Altitude => "25000",
            ParameterType.Time => "2026-11-28T09:30Z",
            ParameterType.Count => "3",
            _ => "near the buoy",
        });
        return (message, values);
    }

    [Fact]
    public async Task A_catalog_message_travels_as_id_and_values_and_each_side_reads_it_in_its_own_language()
    {
        await using var cluster = await KoreanAndChineseAsync();
        var (a, b) = (cluster.A, cluster.B);
        var (message, values) = PositionMessage();
        var position = message.Parameters.First(p => p.Type == ParameterType.Position).Name;

        // A latitude of 95 is refused with a clear error and commits nothing.
        var wrong = await a.Messages.SendAsync(new SendRequest
        {
            Peer = b.Id, Channel = "navy", Template = message.Id, Params = new Dictionary<string, string>(values) { [position] = "95,124.25" },
        }, default);
        Assert.Equal(400, wrong.Status);
        Assert.Contains(position, wrong.Error, StringComparison.Ordinal);
        Assert.Contains("95", wrong.Error, StringComparison.Ordinal);
        Assert.Empty(a.Outbound(b));
        var unknown = await a.Messages.SendAsync(new SendRequest { Peer = b.Id, Channel = "navy", Template = "NO-SUCH-MESSAGE" }, default);
        Assert.Equal(400, unknown.Status);
        Assert.Contains("hotline catalog list", unknown.Fix, StringComparison.Ordinal);

        var sent = await a.Messages.SendAsync(new SendRequest { Peer = b.Id, Channel = "navy", Precedence = "IMMEDIATE", Template = message.Id, Params = values }, default);
        Assert.Equal(202, sent.Status);
        await cluster.WaitAllDeliveredAsync();

        // What travelled and was signed: the id, the catalog version and the values, no rendered text.
        var atB = Assert.Single(b.Inbound(a));
        Assert.Equal("", atB.Envelope.Text);
        Assert.Equal(message.Id, atB.Envelope.Template!.Id);
        Assert.Equal(MessageCatalog.Default.Version, atB.Envelope.Template.CatalogVersion);
        var check = message.Validate(values);
        Assert.Equal(check.Normalized, atB.Envelope.Template.ValueMap());

        // Seoul reads Korean, Beijing reads Chinese, and both mean the same values.
        Assert.Equal(message.Render("ko", check.Normalized), sent.Value!.Text);
        Assert.Equal("ko", sent.Value.Language);
        var readInBeijing = MessageView.From(atB, b.Messages.Language);
        Assert.Equal(message.Render("zh", check.Normalized), readInBeijing.Text);
        Assert.Equal("zh", readInBeijing.Language);
        Assert.Null(readInBeijing.Template!.Warning);
        Assert.NotEqual(sent.Value.Text, readInBeijing.Text);

        // Through the API, in the language asked for.
        var en = await b.Api.GetAsync($"/api/messages/{atB.Envelope.Id}?lang=en");
        Assert.Equal(message.Render("en", check.Normalized), en.GetProperty("text").GetString());
        Assert.Equal(message.Id, en.GetProperty("template").GetProperty("id").GetString());
        var bad = await Assert.ThrowsAsync<Hotline.Cli.CliError>(() => b.Api.GetAsync($"/api/messages/{atB.Envelope.Id}?lang=fr"));
        Assert.Contains("lang", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Free_text_carries_its_language_tag_and_a_bad_tag_is_refused()
    {
        await using var cluster = await KoreanAndChineseAsync();
        var (a, b) = (cluster.A, cluster.B);

        var tagged = await a.Messages.SendAsync(new SendRequest { Peer = b.Id, Channel = "ministerial", Text = "Please call at 0900Z", Language = "en-GB" }, default);
        var untagged = await a.Messages.SendAsync(new SendRequest { Peer = b.Id, Channel = "ministerial", Text = "09시에 전화 바랍니다" }, default);
        var bad = await a.Messages.SendAsync(new SendRequest { Peer = b.Id, Channel = "ministerial", Text = "x", Language = "not a tag!" }, default);
        Assert.Equal((202, 202, 400), (tagged.Status, untagged.Status, bad.Status));
        await cluster.WaitAllDeliveredAsync();

        var inbound = b.Inbound(a);
        Assert.Equal(["en-GB", "ko"], inbound.Select(m => m.Envelope.Language));
        Assert.Equal(2, inbound.Count);
    }

    [Fact]
    public async Task A_translation_and_its_certification_are_signed_held_by_both_sides_and_part_of_the_verified_transcript()
    {
        await using var cluster = await KoreanAndChineseAsync();
        var (a, b) = (cluster.A, cluster.B);
        var original = (await a.Messages.SendAsync(new SendRequest { Peer = b.Id, Channel = "ministerial", Text = "내일 09시 장관 통화를 요청합니다" }, default)).Value!;
        await cluster.WaitAllDeliveredAsync();

        // Beijing's translator attaches a Chinese translation; the translator cannot certify it, a second person can.
        var translation = await b.Messages.TranslateAsync(original.Id, "zh", "请求明天09时部长通话", "Translator Wang", default);
        Assert.Equal(202, translation.Status);
        var own = await b.Messages.CertifyAsync(translation.Value!.Id, "translator wang", null, default);
        Assert.Equal(409, own.Status);
        Assert.Equal(400, (await b.Messages.TranslateAsync(original.Id, "zh", "  ", "Translator Wang", default)).Status);
        Assert.Equal(404, (await b.Messages.TranslateAsync(Guid.NewGuid(), "zh", "x", "Translator Wang", default)).Status);
        Assert.Equal(404, (await b.Messages.CertifyAsync(original.Id, "Lt Zhao", null, default)).Status);
        var certified = await b.Messages.CertifyAsync(translation.Value.Id, "Lt Zhao", "checked against the original", default);
        Assert.Equal(202, certified.Status);
        Assert.Equal(409, (await b.Messages.CertifyAsync(translation.Value.Id, "Lt Zhao", null, default)).Status);
        // Seoul's side may certify the same translation too.
        await Poll.UntilAsync(() => a.Store.FindMessage(translation.Value.Id) is not null, "A to hold B's translation");
        Assert.Equal(202, (await a.Messages.CertifyAsync(translation.Value.Id, "Maj Kim", null, default)).Status);
        await cluster.WaitAllDeliveredAsync();

        // Both sides show original and translation side by side, with who translated and who certified.
        foreach (var (node, side) in new[] { (a, "in"), (b, "out") })
        {
            var view = await node.Api.GetAsync($"/api/messages/{original.Id}");
            Assert.Equal("내일 09시 장관 통화를 요청합니다", view.GetProperty("text").GetString());
            var t = Assert.Single(view.GetProperty("translations").EnumerateArray());
            Assert.Equal(("zh", "请求明天09时部长通话", "Translator Wang", side),
                (t.GetProperty("language").GetString(), t.GetProperty("text").GetString(), t.GetProperty("translatedBy").GetString(), t.GetProperty("direction").GetString()));
            Assert.Equal(["Lt Zhao", "Maj Kim"], t.GetProperty("certifications").EnumerateArray().Select(c => c.GetProperty("certifiedBy").GetString()).Order());
        }

        // The record: a checkpoint co-signed by both, the store verifies, and a bundle of the one message carries all of it.
        var checkpoint = await a.Api.PostAsync($"/api/peers/{b.Id}/checkpoint", new { });
        Assert.Equal(4, checkpoint.GetProperty("outbound").GetInt64() + checkpoint.GetProperty("inbound").GetInt64());
        foreach (var node in new[] { a, b })
        {
            using var reader = StoreReader.Open(node.Folder.DatabaseFile);
            var verified = StoreVerifier.Verify(reader, node.Key, node.Name);
            Assert.True(verified.Ok, string.Join("\n", verified.Problems));
        }
        using (var reader = StoreReader.Open(a.Folder.DatabaseFile))
        {
            using var identity = a.Folder.LoadIdentity();
            var build = BundleBuilder.Build(reader, identity, new BundleRequest
            {
                PeerId = b.Id,
                OwnCardJson = a.Folder.CreateCard(a.Folder.LoadConfig()).ToJson(),
                Only = [original.Id],
                Now = DateTimeOffset.UtcNow,
            });
            Assert.True(build.Error is null, build.Error);
            var report = BundleVerifier.Verify(BundleJson.Serialize(build.Bundle!));
            Assert.True(report.Ok, string.Join("\n", report.Problems));
            Assert.Equal([EnvelopeKind.Message, EnvelopeKind.Translation, EnvelopeKind.Certification, EnvelopeKind.Certification],
                report.Entries.Select(e => e.Envelope.Kind).Order());
            var line = Assert.Single(EvidenceView.From(report).Lines);
            var described = Assert.Single(line.Translations);
            Assert.Contains("translation (zh) by Translator Wang", described, StringComparison.Ordinal);
            Assert.Contains("certified by Lt Zhao", described, StringComparison.Ordinal);
            Assert.Contains("certified by Maj Kim", described, StringComparison.Ordinal);
            Assert.Contains("请求明天09时部长通话", string.Join("\n", BundleSummary.Lines(report)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_catalog_version_mismatch_is_reported_and_catalog_messages_across_versions_are_kept_as_sent()
    {
        using var temp = new TempFolder("catalog");
        await using var b = await InProcessNode.StartAsync(temp.Combine("b"), "Node B");
        var (fake, session) = await FakePeer.PairAsync(b, temp.Combine("fake"), catalogVersion: "1999.1");
        await using var _ = fake;

        Assert.Equal(MessageCatalog.Default.Version, session.PeerHello.CatalogVersion);
        var peer = (await b.Api.GetAsync("/api/peers")).EnumerateArray().Single();
        Assert.Equal("1999.1", peer.GetProperty("catalogVersion").GetString());
        Assert.Contains("1999.1", peer.GetProperty("catalogWarning").GetString(), StringComparison.Ordinal);
        Assert.Null(LinkPolicy.CatalogMismatch(MessageCatalog.Default.Version));

        var (message, values) = PositionMessage();
        var position = message.Parameters.First(p => p.Type == ParameterType.Position).Name;
        TemplateRef Template(string version, string latitude) => new(message.Id, version,
            [.. message.Parameters.Select(p => KeyValuePair.Create(p.Name, p.Name == position ? $"{latitude},124.25" : message.Validate(values).Normalized[p.Name]))]);
        EnvelopeDraft Draft(TemplateRef t) => new() { Channel = "navy", Text = "", Template = t, Label = Label.Default };

        // Same catalog version but values it refuses: a forged or broken sender; refused in the receipt.
        var e1 = fake.Seal(b.Key, 1, [], Draft(Template(MessageCatalog.Default.Version, "95")));
        // Another catalog version: kept (it is signed and is the record) and shown as sent, with a warning.
        var e2 = fake.Seal(b.Key, 2, e1.Hash, Draft(Template("1999.1", "37.5")) with { Template = new TemplateRef("FROM-THE-FUTURE", "1999.1", [KeyValuePair.Create("x", "1")]) });
        await session.SendEnvelopesAsync(FakePeer.Wire(e1), FakePeer.Wire(e2));
        var receipt = ReceiptCodec.Open(b.Key, fake.Key, await session.NextReceiptAsync())!;

        var rejection = Assert.Single(receipt.Rejected);
        Assert.Equal(1ul, rejection.Seq);
        Assert.Contains(position, rejection.Reason, StringComparison.Ordinal);
        var kept = MessageView.From(b.Store.FindMessage(e2.Id)!, "en");
        Assert.Equal("[FROM-THE-FUTURE] x=1", kept.Text);
        Assert.Contains("not in catalog", kept.Template!.Warning, StringComparison.Ordinal);
    }
}
