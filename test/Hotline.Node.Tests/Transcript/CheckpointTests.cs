using Hotline.Cli;
using Hotline.Core.Envelopes;
using Hotline.Core.Transcript;
using Hotline.Node.Hosting;
using Hotline.Node.Transcript;
using Hotline.Storage;
using Hotline.Storage.Transcript;
using Hotline.Testing;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Hotline.Node.Tests.Transcript;

/// <summary>Co-signed checkpoints between two live nodes, and divergences they locate.</summary>
public sealed class CheckpointTests
{
    private static ITranscriptStore Transcript(InProcessNode n) => n.Service<ITranscriptStore>();

    private static async Task SendAsync(InProcessNode from, InProcessNode to, int count, string prefix)
    {
        for (var i = 1; i <= count; i++)
        {
            Assert.Equal(202, (await from.SendAsync(to, "navy", $"{prefix} {i}")).Status);
        }
    }

    /// <summary>Two nodes whose automatic checkpoints come every <paramref name="everyEntries"/> entries; a reply waits at most 5 s.</summary>
    private static Task<TwoNodeCluster> StartAsync(int everyEntries, double retrySeconds) =>
        TwoNodeCluster.StartAsync(new ClusterOptions
        {
            Node = new TestNodeOptions { Configure = c => c with { Transcript = new TranscriptConfig { CheckpointEveryEntries = everyEntries, RetrySeconds = retrySeconds, ReplyTimeoutSeconds = 5 } } },
        });

    private static (long Out, long In) Counts(StoredCheckpoint c, InProcessNode me)
    {
        var s = CheckpointCodec.Decode(c.Body).Statement!;
        var ours = s.Sides.From(me.Key);
        return (s.Count(ours), s.Count(ours == ChainDirection.AtoB ? ChainDirection.BtoA : ChainDirection.AtoB));
    }

    [Fact]
    public async Task A_checkpoint_on_demand_is_co_signed_by_both_nodes_and_stored_identically_on_each()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (a, b) = (cluster.A, cluster.B);
        await SendAsync(a, b, 3, "from a");
        await SendAsync(b, a, 2, "from b");
        await cluster.WaitAllDeliveredAsync();

        var view = await a.Api.PostAsync($"/api/peers/{b.Id}/checkpoint", new { });
        Assert.Equal((3, 2), (view.GetProperty("outbound").GetInt64(), view.GetProperty("inbound").GetInt64()));

        var atA = Transcript(a).LatestCheckpoint(b.Id)!;
        var atB = Transcript(b).LatestCheckpoint(a.Id)!;
        Assert.Equal(atA.Body, atB.Body);
        Assert.Equal(atA.SignatureA, atB.SignatureA);
        Assert.Equal(atA.SignatureB, atB.SignatureB);
        var open = CheckpointCodec.Open(atA.Body, atA.SignatureA, atA.SignatureB);
        Assert.Null(open.Error);
        Assert.Equal(a.Key, open.Statement!.Proposer);
        Assert.Equal((2L, 3L), Counts(atB, b));
        // Each node keeps its frontier of each direction at the checkpoint's counts, to start from after a restart.
        foreach (var (node, peer, counts) in new[] { (a, b, (Out: 3L, In: 2L)), (b, a, (Out: 2L, In: 3L)) })
        {
            var kept = Transcript(node).KeptFrontiers(peer.Id).ToDictionary(k => k.Direction, k => k.Frontier);
            Assert.Equal(counts.Out, kept[Direction.Outbound].Count);
            Assert.Equal(counts.In, kept[Direction.Inbound].Count);
            var frontier = MerkleFrontier.Restore(counts.In, kept[Direction.Inbound].Hashes);
            Assert.Equal(Merkle.Root(node.Inbound(peer).OrderBy(m => m.Envelope.Seq).Select(m => m.Envelope.Hash)), frontier!.Root());
        }

        // Either side may ask; the other's proposal covers the same state and is stored too.
        await b.Api.PostAsync($"/api/peers/{a.Id}/checkpoint", new { });
        Assert.Equal(2, Transcript(a).ListCheckpoints(b.Id).Count);
        var listed = await a.Api.GetAsync($"/api/peers/{b.Id}/transcript");
        Assert.Equal(2, listed.GetProperty("checkpoints").GetArrayLength());
        Assert.Equal(0, listed.GetProperty("divergences").GetArrayLength());
    }

    [Fact]
    public async Task Checkpoints_follow_the_traffic_every_N_entries()
    {
        // A reply lost with a session (a busy machine can drop one) is retried after 5 s, well within the wait below.
        await using var cluster = await StartAsync(everyEntries: 4, retrySeconds: 0);
        var (a, b) = (cluster.A, cluster.B);
        await SendAsync(a, b, 6, "a");
        await SendAsync(b, a, 4, "b");
        await cluster.WaitAllDeliveredAsync();
        await Poll.UntilAsync(() => Transcript(a).LatestCheckpoint(b.Id) is { } c && Counts(c, a) is var n && n.Out + n.In >= 8,
            "an automatic checkpoint to cover most of the traffic", TimeSpan.FromSeconds(30));
        var latest = Transcript(a).LatestCheckpoint(b.Id)!;
        await Poll.UntilAsync(() => Transcript(b).ListCheckpoints(a.Id).Any(c => c.Body.AsSpan().SequenceEqual(latest.Body)), "B to hold the same checkpoint");
    }

    [Fact]
    public async Task Far_behind_each_automatic_round_covers_a_bounded_stretch_and_the_next_follows_at_once()
    {
        // A round covers at most 10 x 2 = 20 more entries a direction. The retry time is long: rounds
        // that follow each other within the wait below do so only because the node is far behind.
        await using var cluster = await StartAsync(everyEntries: 2, retrySeconds: 120);
        var (a, b) = (cluster.A, cluster.B);
        await SendAsync(a, b, 90, "a");
        await cluster.WaitAllDeliveredAsync();

        await Poll.UntilAsync(() => Transcript(a).LatestCheckpoint(b.Id) is { } c && Counts(c, a).Out >= 71,
            "rounds a tick apart to cover all but the last stretch", TimeSpan.FromSeconds(40));
        List<long> covered = [0, .. Transcript(a).ListCheckpoints(b.Id).Select(c => Counts(c, a).Out).Order()];
        Assert.All(covered.Zip(covered.Skip(1)), step => Assert.InRange(step.Second - step.First, 0, CheckpointService.CatchUpRound * 2));
    }

    [Fact]
    public async Task Automatic_rounds_wait_while_urgent_messages_cross_the_link()
    {
        await using var cluster = await StartAsync(everyEntries: 2, retrySeconds: 0);
        var (a, b) = (cluster.A, cluster.B);
        // Routine traffic both ways, due for a round every second, and a FLASH every quarter second.
        for (var i = 1; i <= 12; i++)
        {
            Assert.Equal(202, (await a.SendAsync(b, "navy", $"flash {i}", "FLASH")).Status);
            await SendAsync(a, b, 2, $"a {i}");
            await SendAsync(b, a, 2, $"b {i}");
            await Task.Delay(250);
        }
        var lastFlash = DateTimeOffset.UtcNow;
        await cluster.WaitAllDeliveredAsync();

        await Poll.UntilAsync(() => Transcript(a).LatestCheckpoint(b.Id) is not null, "a round once the urgent traffic went quiet", TimeSpan.FromSeconds(20));
        Assert.All(Transcript(a).ListCheckpoints(b.Id), c => Assert.True(c.StoredAt > lastFlash, $"a checkpoint stored at {c.StoredAt:O}, during the FLASH traffic (until {lastFlash:O})"));
    }

    [Fact]
    public async Task A_different_entry_in_one_store_is_a_divergence_both_nodes_locate_at_the_same_seq()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (a, b) = (cluster.A, cluster.B);
        await SendAsync(a, b, 6, "from a");
        await SendAsync(b, a, 2, "from b");
        await cluster.WaitAllDeliveredAsync();

        // B's copy of A's seq 4 becomes another envelope A signed for that place (as if A had equivocated).
        using (var aKey = a.Folder.LoadIdentity())
        {
            var third = b.Inbound(a).Single(m => m.Envelope.Seq == 3).Envelope;
            var other = EnvelopeCodec.Seal(aKey, b.Key, new EnvelopeDraft { Channel = "navy", Text = "a different seq 4", Label = Hotline.Core.Messages.Label.Default },
                4, third.Hash, DateTimeOffset.UtcNow);
            Exec(b, "UPDATE envelopes SET body = $b, signature = $s, hash = $h WHERE peer_id = $p AND direction = 1 AND seq = 4",
                ("$b", other.Body), ("$s", other.Signature), ("$h", other.Hash), ("$p", a.Id));
        }

        var refused = await Assert.ThrowsAsync<CliError>(() => a.Api.PostAsync($"/api/peers/{b.Id}/checkpoint", new { }));
        Assert.Contains("the records differ", refused.Message, StringComparison.Ordinal);
        Assert.Contains("first difference: Node A → Node B seq 4: the two nodes hold different envelopes there", refused.Message, StringComparison.Ordinal);

        var atA = Assert.Single(Transcript(a).ListDivergences(b.Id));
        Assert.Equal((DivergenceKinds.Checkpoint, Direction.Outbound, 4L), (atA.Kind, atA.Direction!.Value, atA.Seq!.Value));
        Assert.NotNull(atA.EvidenceBody); // what B signed instead
        await Poll.UntilAsync(() => Transcript(b).ListDivergences(a.Id).Count > 0, "B to record the divergence");
        var atB = Assert.Single(Transcript(b).ListDivergences(a.Id));
        Assert.Equal((Direction.Inbound, 4L), (atB.Direction!.Value, atB.Seq!.Value));
        Assert.Contains("first difference: Node A → Node B seq 4: the two nodes hold different envelopes there", atB.Detail, StringComparison.Ordinal);
        // Security events reach the store in the background; the log line and the live event come first.
        await Poll.UntilAsync(() => a.Store.ListSecurityEvents().Any(e => e.Kind == TranscriptEvents.DivergenceEvent), "A's security event");
        await Poll.UntilAsync(() => b.Store.ListSecurityEvents().Any(e => e.Kind == TranscriptEvents.DivergenceEvent), "B's security event");
        Assert.Null(Transcript(a).LatestCheckpoint(b.Id));
    }

    [Fact]
    public async Task An_entry_missing_from_one_store_is_located_and_each_side_says_who_holds_it()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (a, b) = (cluster.A, cluster.B);
        await SendAsync(a, b, 40, "from a");
        await cluster.WaitAllDeliveredAsync();
        Exec(b, "DELETE FROM envelopes WHERE peer_id = $p AND direction = 1 AND seq = 23", ("$p", a.Id));

        await Assert.ThrowsAsync<CliError>(() => a.Api.PostAsync($"/api/peers/{b.Id}/checkpoint", new { }));
        var atA = Assert.Single(Transcript(a).ListDivergences(b.Id));
        Assert.Equal(23, atA.Seq);
        Assert.Contains("seq 23: Node B does not hold it; this node does", atA.Detail, StringComparison.Ordinal);
        await Poll.UntilAsync(() => Transcript(b).ListDivergences(a.Id).Count > 0, "B to record the divergence");
        Assert.Contains("seq 23: this node does not hold it; Node A does", Transcript(b).ListDivergences(a.Id)[0].Detail, StringComparison.Ordinal);
    }

    private static void Exec(InProcessNode node, string sql, params (string, object?)[] args)
    {
        using var db = new SqliteConnection($"Data Source={node.Folder.DatabaseFile};Pooling=False;Foreign Keys=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        foreach (var (n, v) in args)
        {
            command.Parameters.AddWithValue(n, v ?? DBNull.Value);
        }
        command.ExecuteNonQuery();
    }
}
