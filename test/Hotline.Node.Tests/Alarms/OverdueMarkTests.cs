using Hotline.Core.Envelopes;
using Hotline.Core.Messages;
using Hotline.Node.Alarms;
using Hotline.Node.Link;
using Hotline.Storage;
using Hotline.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Hotline.Node.Tests.Alarms;

/// <summary>
/// Deadline checks read our own messages only past what earlier checks settled, and still give
/// every overdue message its alarm, however many fall due at once.
/// </summary>
public sealed class OverdueMarkTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new("overduemark");
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
}
