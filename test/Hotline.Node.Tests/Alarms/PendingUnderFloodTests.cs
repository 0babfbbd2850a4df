using Hotline.Core.Envelopes;
using Hotline.Core.Messages;
using Hotline.Node.Alarms;
using Hotline.Node.Messaging;
using Hotline.Protocol;
using Hotline.Storage;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Alarms;

/// <summary>In a flood, the message that matters must still head what waits for a person.</summary>
public sealed class PendingUnderFloodTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new("pendingflood");
    private InProcessNode _node = null!;
    private FakePeer _peer = null!;

    public async Task InitializeAsync()
    {
        _node = await InProcessNode.StartAsync(_temp.Combine("node"), "Node");
        _peer = FakePeer.Create(_temp.Combine("peer"), "Peer", "https://127.0.0.1:1");
        await _node.AddPeerAsync(_peer.Card);
    }

    public async Task DisposeAsync()
    {
        await _peer.DisposeAsync();
        await _node.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_flash_behind_more_unanswered_routine_messages_than_any_list_holds_comes_first()
    {
        // More unanswered ROUTINE messages than the pending list reads (it read the oldest 10,000 of
        // any precedence, then sorted them: a FLASH after them was left out).
        const int routine = 10_050;
        var now = DateTimeOffset.UtcNow;
        var chain = new List<Envelope>();
        byte[] prev = [];
        for (var seq = 1; seq <= routine + 1; seq++)
        {
            var precedence = seq == routine + 1 ? Precedence.Flash : Precedence.Routine;
            var e = EnvelopeCodec.Seal(_peer.Identity, _node.Key,
                new EnvelopeDraft { Channel = "navy", Text = $"message {seq}", Label = Label.Default, Precedence = precedence }, seq, prev, now.AddMilliseconds(seq));
            chain.Add(e);
            prev = e.Hash;
        }
        foreach (var part in chain.Chunk(1_000))
        {
            await _node.Store.CommitInboundAsync(_peer.Key.Id, part);
        }
        Assert.NotNull((await _node.Service<MessageService>().RespondAsync(chain[0].Id, EnvelopeKind.Acknowledgement, "Watch officer", null, default)).Value);

        var waiting = _node.Service<PendingService>().List().AwaitingUs;

        Assert.Equal(PendingService.Limit, waiting.Count);
        Assert.Equal(chain[^1].Id, waiting[0].Message.Id);
        Assert.Equal("FLASH", waiting[0].Message.Precedence);
        // Then the ROUTINE ones, oldest first, the acknowledged one left out.
        Assert.Equal(chain.Skip(1).Take(PendingService.Limit - 1).Select(e => e.Id), waiting.Skip(1).Select(i => i.Message.Id));
        Assert.Equal(chain[^1].Id, Assert.Single(_node.Store.ListOpen(Direction.Inbound, Precedence.Flash, 10)).Envelope.Id);
    }
}
