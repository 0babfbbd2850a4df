using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Core.Messages;
using Hotline.Node.Link;
using Xunit;

namespace Hotline.Node.Tests.Link;

public sealed class OutboundQueueTests : IDisposable
{
    private readonly NodeIdentity _me = NodeIdentity.Create();
    private readonly NodeIdentity _peer = NodeIdentity.Create();

    public void Dispose()
    {
        _me.Dispose();
        _peer.Dispose();
    }

    private OutboundQueue Filled(int count, int window = 512)
    {
        var queue = new OutboundQueue(window);
        byte[] prev = [];
        for (var seq = 1; seq <= count; seq++)
        {
            var e = EnvelopeCodec.Seal(_me, _peer.PublicKey, new EnvelopeDraft { Channel = "navy", Text = $"{seq}" }, seq, prev, DateTimeOffset.UtcNow);
            queue.Add(e);
            prev = e.Hash;
        }
        return queue;
    }

    private static async Task<long[]> TakeSeqsAsync(OutboundQueue queue, int max = 128) =>
        [.. (await queue.TakeAsync(queue.Epoch, max, 1 << 20, new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token)).Select(e => e.Seq)];

    [Fact]
    public async Task TakeAsync_hands_out_in_sequence_order_up_to_the_window()
    {
        var queue = Filled(10, window: 4);

        Assert.Equal(new long[] { 1, 2, 3 }, await TakeSeqsAsync(queue, max: 3));
        Assert.Equal(new long[] { 4 }, await TakeSeqsAsync(queue, max: 3));
        var blocked = queue.TakeAsync(queue.Epoch, 3, 1 << 20, CancellationToken.None);
        Assert.False(blocked.IsCompleted, "the window of 4 is full: nothing more may go out unreceipted");

        queue.Acknowledge([1, 2]);
        Assert.Equal([5L, 6], (await blocked.WaitAsync(TimeSpan.FromSeconds(5))).Select(e => e.Seq));
        Assert.Equal(8, queue.Count);
    }

    [Fact]
    public async Task Rewind_makes_everything_unreceipted_due_again_from_the_lowest_seq()
    {
        var queue = Filled(6);
        Assert.Equal(new long[] { 1, 2, 3, 4 }, await TakeSeqsAsync(queue, max: 4));
        queue.Acknowledge([2]);

        queue.Rewind();

        Assert.Equal(new long[] { 1, 3, 4, 5, 6 }, await TakeSeqsAsync(queue));
    }

    [Fact]
    public async Task A_closed_session_takes_nothing_even_when_envelopes_are_due()
    {
        // A replaced session's sender can wake up after the rewind that hands its envelopes to the
        // new session; if it took them, they would sit "in flight" on a dead stream.
        var queue = Filled(3);
        using var closed = new CancellationTokenSource();
        await closed.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.TakeAsync(queue.Epoch, 128, 1 << 20, closed.Token));

        Assert.Equal(new long[] { 1, 2, 3 }, await TakeSeqsAsync(queue));
    }

    [Fact]
    public async Task A_session_of_an_older_epoch_takes_nothing_after_a_rewind()
    {
        var queue = Filled(3);
        var old = queue.Epoch;
        var fresh = queue.Rewind();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.TakeAsync(old, 128, 1 << 20, CancellationToken.None));
        Assert.Equal(new long[] { 1, 2, 3 }, (await queue.TakeAsync(fresh, 128, 1 << 20, CancellationToken.None)).Select(e => e.Seq));
    }

    [Fact]
    public async Task Adding_an_envelope_wakes_a_waiting_sender_and_duplicates_are_ignored()
    {
        var queue = new OutboundQueue(512);
        var waiting = queue.TakeAsync(queue.Epoch, 128, 1 << 20, CancellationToken.None);
        var e = EnvelopeCodec.Seal(_me, _peer.PublicKey, new EnvelopeDraft { Channel = "air", Text = "x" }, 1, [], DateTimeOffset.UtcNow);

        queue.Add(e);
        queue.Add(e);

        Assert.Equal([1L], (await waiting.WaitAsync(TimeSpan.FromSeconds(5))).Select(x => x.Seq));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task Urgent_envelopes_travel_alone_and_routine_ones_get_a_small_window_while_they_are_on_the_wire()
    {
        var queue = new OutboundQueue(256);
        byte[] prev = [];
        for (var seq = 1; seq <= 102; seq++)
        {
            var precedence = seq switch { 101 => Precedence.Flash, 102 => Precedence.Immediate, _ => Precedence.Routine };
            var e = EnvelopeCodec.Seal(_me, _peer.PublicKey, new EnvelopeDraft { Channel = "navy", Text = $"{seq}", Precedence = precedence }, seq, prev, DateTimeOffset.UtcNow);
            queue.Add(e);
            prev = e.Hash;
        }

        // The batch holds the urgent envelopes only, though 100 routine ones are due and fit.
        Assert.Equal(new long[] { 101, 102 }, await TakeSeqsAsync(queue));
        // While they are unreceipted, at most 32 envelopes in all may be on the wire for routine ones to go.
        Assert.Equal(Enumerable.Range(1, OutboundQueue.WindowWhileUrgent - 2).Select(i => (long)i), await TakeSeqsAsync(queue));
        var blocked = queue.TakeAsync(queue.Epoch, 128, 1 << 20, CancellationToken.None);
        Assert.False(blocked.IsCompleted, "the small window is full while urgent envelopes are unreceipted");

        queue.Acknowledge([101, 102]);
        Assert.Equal(Enumerable.Range(31, 70).Select(i => (long)i), (await blocked.WaitAsync(TimeSpan.FromSeconds(5))).Select(e => e.Seq));
    }

    [Fact]
    public async Task Routine_envelopes_get_the_small_window_while_urgent_traffic_has_crossed_the_link_lately()
    {
        var urgentLately = true;
        var queue = new OutboundQueue(1024, urgentLately: () => urgentLately);
        byte[] prev = [];
        for (var seq = 1; seq <= 1100; seq++)
        {
            var e = EnvelopeCodec.Seal(_me, _peer.PublicKey, new EnvelopeDraft { Channel = "navy", Text = $"{seq}" }, seq, prev, DateTimeOffset.UtcNow);
            queue.Add(e);
            prev = e.Hash;
        }

        // No urgent envelope of this queue is on the wire, but the link carried one lately (either way).
        var sent = new List<long>(await TakeSeqsAsync(queue));
        Assert.Equal(Enumerable.Range(1, OutboundQueue.WindowWhileUrgent).Select(i => (long)i), sent);
        var blocked = queue.TakeAsync(queue.Epoch, 128, 1 << 20, CancellationToken.None);
        Assert.False(blocked.IsCompleted, "32 on the wire: the small window is full while urgent traffic is about");

        // The link has been quiet a while: the next receipt opens the whole window.
        urgentLately = false;
        queue.Acknowledge([1]);
        sent.AddRange((await blocked.WaitAsync(TimeSpan.FromSeconds(5))).Select(e => e.Seq));
        while (sent.Count < 1025)
        {
            sent.AddRange(await TakeSeqsAsync(queue));
        }
        // Seqs 2..1025 on the wire, in order, and nothing more.
        Assert.Equal(Enumerable.Range(1, 1025).Select(i => (long)i), sent);
        Assert.False(queue.TakeAsync(queue.Epoch, 128, 1 << 20, CancellationToken.None).IsCompleted, "1,024 on the wire: the whole window is full");
    }

    [Fact]
    public async Task While_urgent_traffic_is_about_routine_envelopes_wait_until_16_places_of_the_small_window_are_free()
    {
        byte[] prev = [];
        Envelope Sealed(int seq, Precedence precedence)
        {
            var e = EnvelopeCodec.Seal(_me, _peer.PublicKey, new EnvelopeDraft { Channel = "navy", Text = $"{seq}", Precedence = precedence }, seq, prev, DateTimeOffset.UtcNow);
            prev = e.Hash;
            return e;
        }
        var queue = new OutboundQueue(1024, urgentLately: () => true);
        for (var seq = 1; seq <= 100; seq++)
        {
            queue.Add(Sealed(seq, Precedence.Routine));
        }
        Assert.Equal(OutboundQueue.WindowWhileUrgent, (await TakeSeqsAsync(queue)).Length);

        queue.Acknowledge(Enumerable.Range(1, 15).Select(i => (long)i));
        // Asked after the receipts: a batch ready now would be handed out before the call returns.
        var next = queue.TakeAsync(queue.Epoch, 128, 1 << 20, CancellationToken.None);
        Assert.False(next.IsCompleted, "15 places free: a routine batch waits for 16");
        queue.Acknowledge([16]);
        Assert.Equal(Enumerable.Range(33, 16).Select(i => (long)i), (await next.WaitAsync(TimeSpan.FromSeconds(5))).Select(e => e.Seq));

        // An urgent envelope never waits for that.
        queue.Add(Sealed(101, Precedence.Flash));
        Assert.Equal(new long[] { 101 }, await TakeSeqsAsync(queue));

        // With nothing on the wire, fewer than 16 go at once.
        prev = [];
        var few = new OutboundQueue(1024, urgentLately: () => true);
        few.Add(Sealed(1, Precedence.Routine));
        few.Add(Sealed(2, Precedence.Routine));
        Assert.Equal(new long[] { 1, 2 }, await TakeSeqsAsync(few));
    }

    [Fact]
    public async Task Priority_and_routine_envelopes_share_a_batch_highest_precedence_first()
    {
        var queue = new OutboundQueue(256);
        byte[] prev = [];
        for (var seq = 1; seq <= 4; seq++)
        {
            var precedence = seq % 2 == 0 ? Precedence.Priority : Precedence.Routine;
            var e = EnvelopeCodec.Seal(_me, _peer.PublicKey, new EnvelopeDraft { Channel = "navy", Text = $"{seq}", Precedence = precedence }, seq, prev, DateTimeOffset.UtcNow);
            queue.Add(e);
            prev = e.Hash;
        }

        Assert.Equal(new long[] { 2, 4, 1, 3 }, await TakeSeqsAsync(queue));
    }
}
