using Hotline.Node.Supervision;
using Hotline.Node.Users;

namespace Hotline.Node.ConsoleUi;

/// <summary>Line tests from the console: a watch officer starts one, a person on the watch answers the peer's. Roles checked here, every action audited.</summary>
public sealed class ConsoleLineTests(ConsoleSession session, LineTestService tests, TimeProvider time)
{
    /// <summary>How far back the board looks for a link's last test.</summary>
    public static readonly TimeSpan BoardWindow = TimeSpan.FromDays(7);

    public Task<ConsoleResult<LineTestView>> StartAsync(string peerId, CancellationToken ct = default) =>
        session.ActAsync(Roles.CanRunLineTests, "linetest.start", $"to {peerId}", async user =>
            await session.AuditedAsync(await tests.StartTestAsync(peerId, user.Name, ct), user, "linetest.start", test => $"{test.Id} to {test.PeerName} ({test.Peer})", ct));

    public Task<ConsoleResult<LineTestView>> AnswerAsync(Guid id, CancellationToken ct = default) =>
        session.ActAsync(Roles.CanAnswerLineTests, "linetest.answer", id.ToString(), async user =>
            await session.AuditedAsync(await tests.AnswerAsync(id, user.Name, ct), user, "linetest.answer", test => $"{test.Id} from {test.PeerName}: {test.Outcome}", ct));

    /// <summary>For the board: each link's latest test of ours, and the peer's tests not yet answered here (a late answer still clears the alarm).</summary>
    public LineTestBoard Board()
    {
        var now = time.GetUtcNow();
        var recent = tests.List(null, now - BoardWindow);
        return new LineTestBoard(
            recent.Where(t => t.Direction == "out").GroupBy(t => t.Peer).ToDictionary(g => g.Key, g => g.MaxBy(t => t.SentAt)!),
            recent.Where(t => t.Direction == "in" && t.AnsweredAt is null).OrderBy(t => t.Deadline).ToList());
    }

    public DateTimeOffset? NextScheduled(Storage.PeerRecord peer) => tests.NextScheduled(peer, time.GetUtcNow());
}

/// <summary>The line tests the board shows.</summary>
public sealed record LineTestBoard(IReadOnlyDictionary<string, LineTestView> LastSentByPeer, IReadOnlyList<LineTestView> AwaitingAnswer);
