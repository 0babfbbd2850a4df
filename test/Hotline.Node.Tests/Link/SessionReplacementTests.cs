using Hotline.Protocol;
using Hotline.Storage;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Link;

/// <summary>
/// When a second session with the same peer comes up (both sides dialled at once, or the peer
/// reconnected before this node noticed the old session die), the new one takes over: it must
/// resend everything unreceipted from the lowest sequence number, and nothing may stay stranded
/// on the session it replaced.
/// </summary>
public sealed class SessionReplacementTests : IAsyncLifetime
{
    private const int Backlog = 600;
    private const int Window = 256;
    private const int Replacements = 20;
    private readonly TempFolder _temp = new("replace");
    private InProcessNode _b = null!;
    private FakePeer _fake = null!;

    public async Task InitializeAsync()
    {
        _b = await InProcessNode.StartAsync(_temp.Combine("b"), "Node B");
        _fake = FakePeer.Create(_temp.Combine("fake"), "Fake Peer", $"https://127.0.0.1:{Hotline.Cli.Demo.NodeProcess.FreePort()}");
        await _b.AddPeerAsync(_fake.Card);
    }

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        await _b.DisposeAsync();
        _temp.Dispose();
    }

    private Task<FakeSession> ConnectAsync() => _fake.ConnectAsync(_b.Host.LinkUrl, _b.ExportCard().TlsCertificateSha256);

    [Fact]
    public async Task A_replacing_session_resends_the_whole_unreceipted_backlog_in_order()
    {
        for (var i = 1; i <= Backlog; i++)
        {
            var sent = await _b.Messages.SendAsync(new Node.Messaging.SendRequest { Peer = _fake.Key.Id, Channel = "navy", Text = $"backlog {i}" }, default);
            Assert.NotNull(sent.Value);
        }

        // Each new session replaces the previous one while that one's sender waits for window
        // space: it takes as much as the send window allows and never receipts it.
        for (var round = 1; round <= Replacements; round++)
        {
            var session = await ConnectAsync();
            var seen = new List<long>();
            while (seen.Count < Window)
            {
                seen.AddRange(Seqs(await session.NextEnvelopesAsync(TimeSpan.FromSeconds(10))));
            }
            Assert.Equal(Enumerable.Range(1, Window).Select(i => (long)i), seen);
        }

        // The last one receipts as it goes and gets everything, in order.
        var last = await ConnectAsync();
        var onLast = new List<long>();
        while (onLast.Count < Backlog)
        {
            onLast.AddRange(Seqs(await last.NextEnvelopesAsync(TimeSpan.FromSeconds(10))));
            await last.SendAsync(new Frame { Receipt = _fake.Receipt(_b.Key, onLast) });
        }
        Assert.Equal(Enumerable.Range(1, Backlog).Select(i => (long)i), onLast);
        await Poll.UntilAsync(() => _b.Store.Counts(_fake.Key.Id).Undelivered == 0, "B to apply the receipts", TimeSpan.FromSeconds(10));
        Assert.Empty(_b.Store.LoadUndelivered(_fake.Key.Id));
    }

    private static IEnumerable<long> Seqs(EnvelopeBatch batch) =>
        batch.Envelopes.Select(e => (long)EnvelopeBody.Parser.ParseFrom(e.Body).Seq);
}
