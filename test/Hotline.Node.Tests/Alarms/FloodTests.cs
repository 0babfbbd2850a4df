using Hotline.Core.Envelopes;
using Hotline.Core.Messages;
using Hotline.Node.Alarms;
using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Protocol;
using Hotline.Storage;
using Hotline.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Hotline.Node.Tests.Alarms;

/// <summary>
/// In a flood, what waits for a person is still found, and found without reading everything: the
/// pending list puts a FLASH first however many messages are older, and the deadline checks give
/// every overdue message its alarm while reading only past what earlier checks settled.
/// </summary>
public sealed class FloodTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new("flood");
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private InProcessNode _node = null!;
    private FakePeer _peer = null!;

    public async Task InitializeAsync()
    {
        _node = await InProcessNode.StartAsync(_temp.Combine("node"), "Node", new TestNodeOptions { Time = _clock });
        // Never connected: what is sent to it stays undelivered.
        _peer = FakePeer.Create(_temp.Combine("peer"), "Peer", "https://127.0.0.1:1");
        await _node.AddPeerAsync(_peer.Card);
    }

    public async Task DisposeAsync()
    {
        await _peer.DisposeAsync();
        await _node.DisposeAsync();
        _temp.Dispose();
    }

    private Task CheckAsync() => _node.Service<AlarmService>().CheckAsync(default);

    private IReadOnlyList<Alarm> DeliveryAlarms() =>
        [.. _node.Store.ListAlarms(openOnly: false, limit: 10_000).Where(a => a.Kind == AlarmKinds.DeliveryOverdue)];

    [Fact]
    public async Task More_messages_falling_due_at_once_than_one_check_raises_all_get_their_alarm_and_a_restart_reads_all_again()
    {
        var count = 2 * AlarmService.RaisedPerCheck + 50;
        var peer = _node.Service<PeerDirectory>().FindById(_peer.Key.Id)!;
        var sent = new List<StoredMessage>();
        foreach (var part in Enumerable.Range(1, count).Chunk(100))
        {
            sent.AddRange(await _node.Store.AppendOutboundAsync([.. part.Select(i => (peer, new EnvelopeDraft { Channel = "navy", Text = $"routine {i}" }))]));
        }

        _clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        await CheckAsync();
        Assert.Empty(DeliveryAlarms());

        _clock.Advance(TimeSpan.FromSeconds(2));
        for (var i = 0; i < 4; i++)
        {
            await CheckAsync();
        }
        Assert.Equal(sent.Select(m => m.Envelope.Id).Order(), DeliveryAlarms().Select(a => a.MessageId).Order());

        // Settled: a later check does not read them again, so an alarm taken away behind its back
        // stays away (reading them all every second is what the mark spares)...
        var first = sent[0].Envelope.Id;
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_node.Folder.DatabaseFile};Pooling=false"))
        {
            db.Open();
            using var delete = db.CreateCommand();
            delete.CommandText = "DELETE FROM alarms WHERE message_id = $m";
            delete.Parameters.AddWithValue("$m", Uuid7.ToBytes(first));
            Assert.Equal(1, delete.ExecuteNonQuery());
        }
        _clock.Advance(TimeSpan.FromMinutes(2));
        await CheckAsync();
        Assert.Equal(count - 1, DeliveryAlarms().Count);

        // ...until the node starts again and its first check reads everything.
        await _node.RestartAsync();
        await CheckAsync();
        Assert.Equal(count, DeliveryAlarms().Count);
        Assert.Contains(DeliveryAlarms(), a => a.MessageId == first);
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
