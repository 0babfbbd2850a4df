using System.Security.Cryptography;
using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Core.Messages;
using Hotline.Storage;
using Hotline.Storage.Sqlite;
using Hotline.Storage.Transcript;
using Hotline.Testing;
using Xunit;

namespace Hotline.Core.Tests.Transcript;

/// <summary>The receiver's chain rule in the store: links are checked whichever side of a pair arrives first.</summary>
public sealed class ReceiverChainTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 15, 30, 0, TimeSpan.Zero);
    private readonly TempFolder _temp = new("chain");
    private readonly NodeIdentity _me = NodeIdentity.Create();
    private readonly NodeIdentity _peer = NodeIdentity.Create();
    private PeerRecord _peerRecord = null!;
    private SqliteStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = SqliteStore.Open(_temp.Combine("hotline.db"), _me);
        _peerRecord = new PeerRecord
        {
            Key = _peer.PublicKey,
            Name = "Peer",
            TlsSha256 = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            Endpoints = ["https://127.0.0.1:1"],
            Channels = ["navy"],
            CardJson = "{}",
            Labels = [Label.Default],
            AddedAt = Now,
        };
        await _store.AddPeerAsync(_peerRecord);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _me.Dispose();
        _peer.Dispose();
        _temp.Dispose();
    }

    private List<Envelope> Chain(int count, string prefix = "in")
    {
        var list = new List<Envelope>();
        byte[] prev = [];
        for (var i = 1; i <= count; i++)
        {
            var e = EnvelopeCodec.Seal(_peer, _me.PublicKey, new EnvelopeDraft { Channel = "navy", Text = $"{prefix} {i}", Label = Label.Default }, i, prev, Now);
            list.Add(e);
            prev = e.Hash;
        }
        return list;
    }

    private Envelope Fork(long seq, byte[] prevHash, string text) =>
        EnvelopeCodec.Seal(_peer, _me.PublicKey, new EnvelopeDraft { Channel = "navy", Text = text, Label = Label.Default }, seq, prevHash, Now);

    private Task<InboundCommit> CommitAsync(params Envelope[] envelopes) => _store.CommitInboundAsync(_peerRecord.Id, envelopes);

    [Fact]
    public async Task OutOfOrderArrival_IsAccepted_AndThePrefixGrowsOnlyWhenContiguous()
    {
        var chain = Chain(5);
        Assert.Empty((await CommitAsync(chain[3], chain[4])).Conflicts); // seq 4, 5 overtook
        Assert.Equal(0, _store.HeldInboundPrefix(_peerRecord.Id));
        Assert.Empty((await CommitAsync(chain[0], chain[2])).Conflicts);
        Assert.Equal(1, _store.HeldInboundPrefix(_peerRecord.Id));
        Assert.Empty((await CommitAsync(chain[1])).Conflicts);
        Assert.Equal(5, _store.HeldInboundPrefix(_peerRecord.Id));
        Assert.Equal(5, _store.MaxSeq(_peerRecord.Id, Direction.Inbound));
    }

    [Fact]
    public async Task AnEnvelopeNamingAnotherPredecessor_IsRefused_WhenThePredecessorIsHeld()
    {
        var chain = Chain(2);
        await CommitAsync(chain[0], chain[1]);
        var forked = Fork(3, SHA256.HashData([9]), "forked");
        var commit = await CommitAsync(forked);
        var (seq, reason) = Assert.Single(commit.Conflicts);
        Assert.Equal(3, seq);
        Assert.Equal("chain link does not match: prev_hash is not the hash of seq 2 held here", reason);
        Assert.Equal(2, _store.MaxSeq(_peerRecord.Id, Direction.Inbound));
    }

    [Fact]
    public async Task APredecessorThatItsHeldSuccessorDoesNotName_IsRefused()
    {
        var chain = Chain(3);
        await CommitAsync(chain[0], chain[2]); // seq 3 overtook seq 2
        var otherTwo = Fork(2, chain[0].Hash, "a different seq 2");
        var (seq, reason) = Assert.Single((await CommitAsync(otherTwo)).Conflicts);
        Assert.Equal(2, seq);
        Assert.Equal("chain link does not match: seq 3 held here names a different predecessor", reason);
        Assert.Empty((await CommitAsync(chain[1])).Conflicts);
        Assert.Equal(3, _store.HeldInboundPrefix(_peerRecord.Id));
    }

    [Fact]
    public async Task RefusedEntries_StayInTheChain_AndAreCheckedLikeOthers()
    {
        var chain = Chain(3);
        await CommitAsync(chain[0], chain[2]);
        var refused = new RefusedEntry(2, chain[1].Body, chain[1].Signature, chain[1].Hash, chain[1].PrevHash, "channel 'navy' is not offered on this link");
        Assert.Empty(await _store.KeepRefusedAsync(_peerRecord.Id, [refused]));
        Assert.Equal(3, _store.HeldInboundPrefix(_peerRecord.Id));
        var hashes = new List<(long, byte[])>();
        _store.ForEachEntryHash(_peerRecord.Id, Direction.Inbound, 1, 3, (s, h) => { hashes.Add((s, h)); return true; });
        Assert.Equal(chain.Select(e => (e.Seq, e.Hash)), hashes);

        // The accepted copy of a refused envelope is not taken in afterwards.
        var (seq, reason) = Assert.Single((await CommitAsync(chain[1])).Conflicts);
        Assert.Equal((2, "this envelope was refused before"), (seq, reason));

        var fork = Fork(4, SHA256.HashData([7]), "fork");
        var broken = await _store.KeepRefusedAsync(_peerRecord.Id, [new RefusedEntry(4, fork.Body, fork.Signature, fork.Hash, fork.PrevHash, "x")]);
        Assert.StartsWith("chain link does not match", Assert.Single(broken).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettledOutboundPrefix_StopsAtTheFirstEnvelopeNotYetReceipted()
    {
        for (var i = 0; i < 4; i++)
        {
            await _store.AppendOutboundAsync(_peerRecord, new EnvelopeDraft { Channel = "navy", Text = $"out {i}" });
        }
        Assert.Equal(0, _store.SettledOutboundPrefix(_peerRecord.Id));
        var receipt = ReceiptCodec.Seal(_peer, _me.PublicKey, [1, 2, 4], [], Now);
        await _store.ApplyReceiptAsync(_peerRecord.Id, receipt, ReceiptCodec.Open(_peer.PublicKey, _me.PublicKey, receipt)!);
        Assert.Equal(2, _store.SettledOutboundPrefix(_peerRecord.Id));
        var rejected = ReceiptCodec.Seal(_peer, _me.PublicKey, [], [(3, "policy")], Now);
        await _store.ApplyReceiptAsync(_peerRecord.Id, rejected, ReceiptCodec.Open(_peer.PublicKey, _me.PublicKey, rejected)!);
        Assert.Equal(4, _store.SettledOutboundPrefix(_peerRecord.Id));
    }
}
