using Google.Protobuf;
using Hotline.Cli;
using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Protocol;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Link;

/// <summary>What a node refuses: strangers at the TLS handshake, forged envelopes; and what it tolerates: replays.</summary>
public sealed class RefusalTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new("refuse");
    private InProcessNode _b = null!;

    public async Task InitializeAsync() => _b = await InProcessNode.StartAsync(_temp.Combine("b"), "Node B");

    public async Task DisposeAsync()
    {
        await _b.DisposeAsync();
        _temp.Dispose();
    }

    private static async Task<List<(string Kind, string Detail)>> SecurityEventsAsync(ApiClient api)
    {
        var status = await api.GetAsync("/api/status");
        return [.. status.GetProperty("securityEvents").EnumerateArray()
            .Select(e => (e.GetProperty("kind").GetString()!, e.GetProperty("detail").GetString()!))];
    }

    [Fact]
    public async Task A_node_with_an_unpinned_certificate_is_refused_at_the_handshake_and_recorded()
    {
        // C holds B's card, but B never added C's.
        await using var c = await InProcessNode.StartAsync(_temp.Combine("c"), "Node C");
        using var cEvents = c.Events.Subscribe();
        var cPin = c.ExportCard().TlsCertificateSha256;
        await c.AddPeerAsync(_b.ExportCard());

        // C keeps dialling and B keeps refusing, recording who it was (once a minute per certificate,
        // so that a scanner cannot flood the record).
        await Poll.UntilAsync(async () => (await SecurityEventsAsync(_b.Api)).Count(e => e.Kind == SecurityLog.UnknownCertificate && e.Detail.Contains(cPin, StringComparison.Ordinal)) >= 1,
            "B to refuse C's certificate", TimeSpan.FromSeconds(30));

        // The throttle itself: the same certificate again within the minute records nothing new.
        _b.Service<SecurityLog>().RecordThrottled(SecurityLog.UnknownCertificate, cPin, $"again {cPin}");
        Assert.Equal(1, (await SecurityEventsAsync(_b.Api)).Count(e => e.Kind == SecurityLog.UnknownCertificate && e.Detail.Contains(cPin, StringComparison.Ordinal)));

        var link = c.LinkTo(_b);
        Assert.NotNull(link);
        Assert.Equal(LinkState.Down, link.State);
        Assert.Equal(LinkState.Down, _b.Links.Find(c.Id)?.State ?? LinkState.Down);
        Assert.Empty(_b.Store.ListPeers());
        var seen = new List<NodeEvent>();
        while (cEvents.Reader.TryRead(out var e))
        {
            seen.Add(e);
        }
        Assert.DoesNotContain(seen, e => e.Type == EventTypes.LinkUp);
    }

    [Fact]
    public async Task An_envelope_with_a_bad_signature_is_rejected_in_the_receipt_logged_and_not_stored()
    {
        var (fake, session) = await PairedFakePeerAsync();
        await using var _ = fake;
        var good = fake.Seal(_b.Key, 1, [], "navy", "genuine");
        var signature = good.Signature.ToArray();
        signature[0] ^= 0x80;

        await session.SendEnvelopesAsync(new SignedEnvelope { Body = ByteString.CopyFrom(good.Body), Signature = ByteString.CopyFrom(signature) });
        var receipt = ReceiptCodec.Open(_b.Key, fake.Key, await session.NextReceiptAsync());

        Assert.NotNull(receipt);
        Assert.Empty(receipt.Committed);
        var rejection = Assert.Single(receipt.Rejected);
        Assert.Equal((1ul, "bad signature"), (rejection.Seq, rejection.Reason));
        Assert.Empty(_b.Store.ListMessages(new Storage.MessageQuery { PeerId = fake.Key.Id }));
        await Poll.UntilAsync(async () => (await SecurityEventsAsync(_b.Api)).Any(e => e.Kind == SecurityLog.BadSignature && e.Detail.Contains("seq 1", StringComparison.Ordinal)),
            "B to record the bad signature", TimeSpan.FromSeconds(10));

        // The forgery did not take the sequence number: the genuine envelope is still accepted.
        await session.SendEnvelopesAsync(FakePeer.Wire(good));
        var next = ReceiptCodec.Open(_b.Key, fake.Key, await session.NextReceiptAsync())!;
        Assert.Equal([1L], ReceiptCodec.Expand(next));
        Assert.Empty(next.Rejected);
        Assert.Equal("genuine", Assert.Single(_b.Store.ListMessages(new Storage.MessageQuery { PeerId = fake.Key.Id })).Envelope.Text);
    }

    [Fact]
    public async Task Envelopes_altered_after_signing_or_signed_by_another_key_are_all_rejected()
    {
        var (fake, session) = await PairedFakePeerAsync();
        await using var _ = fake;
        using var stranger = NodeIdentity.Create();
        var altered = fake.Seal(_b.Key, 1, [], "navy", "pay 100");
        var body = altered.Body.ToArray();
        var at = body.AsSpan().IndexOf("100"u8);
        body[at] = (byte)'9';
        var foreign = EnvelopeCodec.Seal(stranger, _b.Key, new EnvelopeDraft { Channel = "navy", Text = "x" }, 2, [], DateTimeOffset.UtcNow);
        var misaddressed = fake.Seal(stranger.PublicKey, 3, [], "navy", "for someone else");

        await session.SendEnvelopesAsync(
            new SignedEnvelope { Body = ByteString.CopyFrom(body), Signature = ByteString.CopyFrom(altered.Signature) },
            FakePeer.Wire(foreign),
            FakePeer.Wire(misaddressed));
        var receipt = ReceiptCodec.Open(_b.Key, fake.Key, await session.NextReceiptAsync())!;

        Assert.Empty(receipt.Committed);
        Assert.Equal([(1ul, "bad signature"), (2ul, "bad signature"), (3ul, "recipient is not this node")],
            receipt.Rejected.Select(r => (r.Seq, r.Reason)));
        Assert.Empty(_b.Store.ListMessages(new Storage.MessageQuery()));
    }

    [Fact]
    public async Task A_replayed_envelope_changes_nothing_and_is_receipted_each_time()
    {
        var (fake, session) = await PairedFakePeerAsync();
        await using var _ = fake;
        using var received = _b.Events.Subscribe();
        var e1 = fake.Seal(_b.Key, 1, [], "air", "first");
        var e2 = fake.Seal(_b.Key, 2, e1.Hash, "air", "second");

        await session.SendEnvelopesAsync(FakePeer.Wire(e1));
        var first = ReceiptCodec.Open(_b.Key, fake.Key, await session.NextReceiptAsync())!;
        await session.SendEnvelopesAsync(FakePeer.Wire(e1));
        var replay = ReceiptCodec.Open(_b.Key, fake.Key, await session.NextReceiptAsync())!;
        await session.SendEnvelopesAsync(FakePeer.Wire(e1), FakePeer.Wire(e2), FakePeer.Wire(e1));
        var mixed = ReceiptCodec.Open(_b.Key, fake.Key, await session.NextReceiptAsync())!;

        Assert.Equal([1L], ReceiptCodec.Expand(first));
        Assert.Equal([1L], ReceiptCodec.Expand(replay));
        Assert.Equal([1L, 2], ReceiptCodec.Expand(mixed));
        Assert.Empty(first.Rejected.Concat(replay.Rejected).Concat(mixed.Rejected));
        var stored = _b.Store.ListMessages(new Storage.MessageQuery { PeerId = fake.Key.Id });
        Assert.Equal([(1L, "first"), (2L, "second")], stored.Select(m => (m.Envelope.Seq, m.Envelope.Text)));
        Assert.Equal(e1.Body, stored[0].Envelope.Body);
        // Each message was announced to the operator once, not once per copy.
        var events = new List<NodeEvent>();
        while (received.Reader.TryRead(out var e))
        {
            events.Add(e);
        }
        Assert.Equal(["first", "second"], events.Where(e => e.Type == EventTypes.MessageReceived).Select(e => e.Message!.Text));
    }

    /// <summary>A fake peer whose card B has pinned, with a session open to B's link (Hellos exchanged).</summary>
    private Task<(FakePeer Peer, FakeSession Session)> PairedFakePeerAsync() => FakePeer.PairAsync(_b, _temp.Combine("fake"));
}
