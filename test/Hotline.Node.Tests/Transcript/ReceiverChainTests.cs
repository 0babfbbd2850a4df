using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Core.Messages;
using Hotline.Node.Hosting;
using Hotline.Node.Transcript;
using Hotline.Protocol;
using Hotline.Storage;
using Hotline.Storage.Transcript;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Transcript;

/// <summary>A fake peer on the wire: the receiving node checks chain links whatever order envelopes arrive in.</summary>
public sealed class ReceiverChainTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new("wirechain");
    private InProcessNode _node = null!;
    private FakePeer _fake = null!;
    private FakeSession _session = null!;

    public async Task InitializeAsync()
    {
        _node = await InProcessNode.StartAsync(_temp.Combine("node"), "Node");
        _fake = FakePeer.Create(_temp.Combine("fake"), "Fake", "https://127.0.0.1:1");
        await _node.AddPeerAsync(_fake.Card);
        using var cert = _node.Folder.LoadCertificate();
        _session = await _fake.ConnectAsync(_node.Host.LinkUrl, Pins.Sha256Hex(cert));
    }

    public async Task DisposeAsync()
    {
        await _session.DisposeAsync();
        await _fake.DisposeAsync();
        await _node.DisposeAsync();
        _temp.Dispose();
    }

    private Envelope Seal(long seq, byte[] prev, string text, string channel = "navy", Precedence precedence = Precedence.Routine) =>
        EnvelopeCodec.Seal(_fake.Identity, _node.Key, new EnvelopeDraft { Channel = channel, Text = text, Label = Label.Default, Precedence = precedence },
            seq, prev, DateTimeOffset.UtcNow);

    private async Task<ReceiptBody> SendAsync(params Envelope[] envelopes)
    {
        await _session.SendEnvelopesAsync([.. envelopes.Select(FakePeer.Wire)]);
        return ReceiptCodec.Open(_node.Key, _fake.Key, await _session.NextReceiptAsync())!;
    }

    private ITranscriptStore Store => _node.Service<ITranscriptStore>();

    [Fact]
    public async Task Overtaking_envelopes_are_taken_and_every_broken_link_is_refused_as_a_divergence_with_evidence()
    {
        var e1 = Seal(1, [], "one");
        var e2 = Seal(2, e1.Hash, "two");
        var e3 = Seal(3, e2.Hash, "three FLASH", precedence: Precedence.Flash);

        Assert.Equal([3L], ReceiptCodec.Expand(await SendAsync(e3)));          // overtook 1 and 2
        var fork = Seal(2, e1.Hash, "not the two that three names");
        var refused = Assert.Single((await SendAsync(fork)).Rejected);
        Assert.Equal((2UL, "chain link does not match: seq 3 held here names a different predecessor"), (refused.Seq, refused.Reason));
        Assert.Equal([1L, 2], ReceiptCodec.Expand(await SendAsync(e1, e2)));
        Assert.Equal(3, Store.HeldInboundPrefix(_fake.Key.Id));

        var bad4 = Seal(4, e1.Hash, "names seq 1 as its predecessor");
        var refused4 = Assert.Single((await SendAsync(bad4)).Rejected);
        Assert.Equal("chain link does not match: prev_hash is not the hash of seq 3 held here", refused4.Reason);

        await Poll.UntilAsync(() => Store.ListDivergences(_fake.Key.Id).Count == 2, "both divergences to be recorded");
        var divergences = Store.ListDivergences(_fake.Key.Id);
        Assert.All(divergences, d => Assert.Equal(DivergenceKinds.ChainMismatch, d.Kind));
        Assert.Equal(fork.Body, divergences.Single(d => d.Seq == 2).EvidenceBody); // the peer's own signature convicts it
        await Poll.UntilAsync(() => _node.Store.ListSecurityEvents().Count(e => e.Kind == TranscriptEvents.ChainMismatch) == 2, "two chain-mismatch security events");
    }

    [Fact]
    public async Task An_envelope_refused_for_its_content_stays_an_entry_of_the_chain()
    {
        var e1 = Seal(1, [], "one");
        var e2 = Seal(2, e1.Hash, "on a channel the node does not offer", channel: "secret");
        var e3 = Seal(3, e2.Hash, "three");
        var receipt = await SendAsync(e1, e2, e3);
        Assert.Equal([1L, 3], ReceiptCodec.Expand(receipt));
        Assert.Equal("channel 'secret' is not offered on this link", Assert.Single(receipt.Rejected).Reason);
        // The chain has no hole: seq 2 is held as a refused entry, and its hash is part of the transcript.
        Assert.Equal(3, Store.HeldInboundPrefix(_fake.Key.Id));
        var hashes = new List<byte[]>();
        Store.ForEachEntryHash(_fake.Key.Id, Direction.Inbound, 1, 3, (_, h) => { hashes.Add(h); return true; });
        Assert.Equal([e1.Hash, e2.Hash, e3.Hash], hashes);
        var inbox = _node.Store.ListMessages(new MessageQuery { PeerId = _fake.Key.Id, Direction = Direction.Inbound });
        Assert.Equal([1L, 3], inbox.Select(m => m.Envelope.Seq));
    }
}
