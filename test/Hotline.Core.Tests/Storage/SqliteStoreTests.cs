using System.Security.Cryptography;
using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Protocol;
using Hotline.Storage;
using Hotline.Storage.Sqlite;
using Hotline.Storage.Transcript;
using Hotline.Testing;
using Xunit;

namespace Hotline.Core.Tests.Storage;

public sealed class SqliteStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 15, 30, 0, TimeSpan.Zero);
    private readonly TempFolder _temp = new("store");
    private readonly NodeIdentity _me = NodeIdentity.Create();
    private readonly NodeIdentity _peer = NodeIdentity.Create();
    private PeerRecord _peerRecord = null!;
    private SqliteStore _store = null!;

    private string DatabaseFile => _temp.Combine("hotline.db");

    /// <summary>The database file opened directly, beside (or after) the store.</summary>
    private Microsoft.Data.Sqlite.SqliteConnection OpenFile(bool readOnly = false)
    {
        var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabaseFile};Pooling=false{(readOnly ? ";Mode=ReadOnly" : "")}");
        db.Open();
        return db;
    }

    public async Task InitializeAsync()
    {
        _store = SqliteStore.Open(DatabaseFile, _me);
        _peerRecord = new PeerRecord
        {
            Key = _peer.PublicKey,
            Name = "Peer",
            TlsSha256 = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            Endpoints = ["https://127.0.0.1:1"],
            Channels = ["navy", "air"],
            CardJson = "{}",
            Labels = [Hotline.Core.Messages.Label.Default],
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

    [Fact]
    public async Task A_links_frontiers_are_kept_per_direction_the_furthest_one_across_a_restart()
    {
        StoredFrontier Frontier(long count, byte fill) => new(count, Enumerable.Repeat(fill, 32).ToArray(), Enumerable.Repeat(fill, 64).ToArray());
        await _store.KeepFrontiersAsync(_peerRecord.Id, [(Direction.Outbound, Frontier(3, 1))]);
        await _store.KeepFrontiersAsync(_peerRecord.Id, [(Direction.Outbound, Frontier(5, 2)), (Direction.Inbound, Frontier(6, 4))]);
        // A frontier behind the kept one (the peer's checkpoint a little behind ours) replaces nothing.
        await _store.KeepFrontiersAsync(_peerRecord.Id, [(Direction.Outbound, Frontier(4, 3))]);
        await _store.DisposeAsync();

        _store = SqliteStore.Open(DatabaseFile, _me);
        var kept = _store.KeptFrontiers(_peerRecord.Id).OrderBy(k => k.Direction).ToList();

        Assert.Equal([Direction.Outbound, Direction.Inbound], kept.Select(k => k.Direction));
        Assert.Equal(Frontier(5, 2), kept[0].Frontier, FrontierComparer.Instance);
        Assert.Equal(Frontier(6, 4), kept[1].Frontier, FrontierComparer.Instance);
        Assert.Empty(_store.KeptFrontiers("another peer"));
    }

    private sealed class FrontierComparer : IEqualityComparer<StoredFrontier>
    {
        public static readonly FrontierComparer Instance = new();

        public bool Equals(StoredFrontier? x, StoredFrontier? y) =>
            x!.Count == y!.Count && x.Head.SequenceEqual(y.Head) && x.Hashes.SequenceEqual(y.Hashes);

        public int GetHashCode(StoredFrontier obj) => obj.Count.GetHashCode();
    }

    private Task<StoredMessage> AppendAsync(string text, string channel = "navy") =>
        _store.AppendOutboundAsync(_peerRecord, new EnvelopeDraft { Channel = channel, Text = text });

    /// <summary>Envelopes the peer signed for this node, chained from seq 1.</summary>
    private List<Envelope> FromPeer(int count)
    {
        var list = new List<Envelope>();
        byte[] prev = [];
        for (var i = 1; i <= count; i++)
        {
            var e = EnvelopeCodec.Seal(_peer, _me.PublicKey, new EnvelopeDraft { Channel = "air", Text = $"in {i}" }, i, prev, Now);
            list.Add(e);
            prev = e.Hash;
        }
        return list;
    }

    private static SignedReceipt Receipt(NodeIdentity receiver, NodeKey sender, long[] committed, params (long, string)[] rejected) =>
        ReceiptCodec.Seal(receiver, sender, committed, rejected, Now);

    private async Task<IReadOnlyList<DeliveryChange>> ApplyAsync(long[] committed, params (long, string)[] rejected)
    {
        var receipt = Receipt(_peer, _me.PublicKey, committed, rejected);
        var body = ReceiptCodec.Open(_peer.PublicKey, _me.PublicKey, receipt)!;
        return await _store.ApplyReceiptAsync(_peerRecord.Id, receipt, body);
    }

    private static void AssertChained(IReadOnlyList<Envelope> inSeqOrder)
    {
        for (var i = 0; i < inSeqOrder.Count; i++)
        {
            Assert.Equal(i + 1, inSeqOrder[i].Seq);
            Assert.Equal(i == 0 ? [] : inSeqOrder[i - 1].Hash, inSeqOrder[i].PrevHash);
        }
    }

    [Fact]
    public async Task AppendOutbound_numbers_from_1_and_chains_each_envelope_to_the_previous()
    {
        var stored = new List<StoredMessage>();
        for (var i = 1; i <= 5; i++)
        {
            stored.Add(await AppendAsync($"out {i}"));
        }

        AssertChained([.. stored.Select(m => m.Envelope)]);
        foreach (var m in stored)
        {
            // What the store signed verifies as the peer would check it.
            var check = EnvelopeCodec.Open(_me.PublicKey, _peer.PublicKey, m.Envelope.Body, m.Envelope.Signature);
            Assert.Null(check.Error);
            Assert.Equal(m.Envelope.Seq, check.Envelope!.Seq);
            Assert.Equal(Direction.Outbound, m.Direction);
            Assert.Null(m.DeliveredAt);
        }
        Assert.True(stored.Zip(stored.Skip(1)).All(p => p.Second.Position > p.First.Position));
        Assert.Equal(new StoreCounts(5, 5, 0), _store.Counts(_peerRecord.Id));
    }

    [Fact]
    public async Task AppendOutbound_calls_committed_in_sequence_order()
    {
        var seen = new List<long>();
        var tasks = Enumerable.Range(1, 50).Select(i =>
            _store.AppendOutboundAsync(_peerRecord, new EnvelopeDraft { Channel = "navy", Text = $"{i}" }, m => { lock (seen) { seen.Add(m.Envelope.Seq); } })).ToList();
        await Task.WhenAll(tasks);

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task Concurrent_appends_get_contiguous_unique_seqs_and_one_chain()
    {
        var stored = await Task.WhenAll(Enumerable.Range(1, 300).Select(i =>
            Task.Run(() => AppendAsync($"concurrent {i}", i % 2 == 0 ? "navy" : "air"))));

        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), stored.Select(m => m.Envelope.Seq).Order());
        AssertChained([.. stored.Select(m => m.Envelope).OrderBy(e => e.Seq)]);
        Assert.Equal(300, stored.Select(m => m.Envelope.Text).Distinct().Count());
        // Committed positions follow the sequence: the order of the chain is the order on disk.
        var byPosition = _store.ListMessages(new MessageQuery { Limit = 1000 });
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), byPosition.Select(m => m.Envelope.Seq));
    }

    [Fact]
    public async Task Appends_committed_together_share_a_batch_signature_and_each_verifies_as_stored()
    {
        // Appends that arrive while the writer is busy wait for it and are committed together.
        using var gate = new ManualResetEventSlim();
        var busy = _store.OnWriterAsync(_ => gate.Wait(TimeSpan.FromSeconds(30)));
        var appends = Enumerable.Range(1, 40).Select(i => AppendAsync($"batched {i}")).ToList();
        gate.Set();
        Assert.True(await busy);
        var stored = await Task.WhenAll(appends);

        var onDisk = _store.ListMessages(new MessageQuery { Limit = 1000 });
        Assert.Equal(40, onDisk.Count);
        var verified = new VerifiedRoots();
        foreach (var m in onDisk)
        {
            Assert.Equal(stored.Single(s => s.Envelope.Seq == m.Envelope.Seq).Envelope.Signature, m.Envelope.Signature);
            Assert.Null(EnvelopeCodec.Open(_me.PublicKey, _peer.PublicKey, m.Envelope.Body, m.Envelope.Signature, verified).Error);
        }
        // One Ed25519 signature per 16 envelopes (3), or 4 if the busy writer's own batch took some of them.
        Assert.InRange(onDisk.Select(m => Convert.ToHexString(m.Envelope.Signature, 0, 64)).Distinct().Count(), 3, 4);
    }

    [Fact]
    public async Task A_large_inbound_batch_committed_in_parts_is_answered_as_one_in_order_and_a_replay_of_it_adds_nothing()
    {
        var chain = FromPeer(101);

        var first = await _store.CommitInboundAsync(_peerRecord.Id, chain[..100]);
        var replay = await _store.CommitInboundAsync(_peerRecord.Id, [.. chain.Take(70), chain[100]]);

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), first.Committed);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), first.New.Select(m => m.Envelope.Seq));
        Assert.Empty(first.Conflicts);
        Assert.Equal([.. Enumerable.Range(1, 70).Select(i => (long)i), 101L], replay.Committed);
        Assert.Equal(101, Assert.Single(replay.New).Envelope.Seq);
        var held = _store.ListMessages(new MessageQuery { PeerId = _peerRecord.Id, Limit = 1000 });
        Assert.Equal(Enumerable.Range(1, 101).Select(i => (long)i), held.Select(m => m.Envelope.Seq));
    }

    [Fact]
    public async Task CommitInbound_stores_new_envelopes_and_a_replay_changes_nothing_but_is_reported_committed()
    {
        var chain = FromPeer(4);
        var envelopes = chain.Take(3).ToList();

        var first = await _store.CommitInboundAsync(_peerRecord.Id, envelopes);
        var replay = await _store.CommitInboundAsync(_peerRecord.Id, envelopes);
        var overlap = await _store.CommitInboundAsync(_peerRecord.Id, [envelopes[2], chain[3]]);

        Assert.Equal([1L, 2, 3], first.New.Select(m => m.Envelope.Seq));
        Assert.Equal([1L, 2, 3], first.Committed);
        Assert.Empty(replay.New);
        Assert.Equal([1L, 2, 3], replay.Committed);
        Assert.Equal([3L, 4], overlap.Committed);
        Assert.Equal(4, Assert.Single(overlap.New).Envelope.Seq);

        var held = _store.ListMessages(new MessageQuery { PeerId = _peerRecord.Id });
        Assert.Equal([1L, 2, 3, 4], held.Select(m => m.Envelope.Seq));
        Assert.All(held, m => Assert.Equal(Direction.Inbound, m.Direction));
        Assert.All(held, m => Assert.NotNull(m.DeliveredAt));
        Assert.Equal(envelopes.Select(e => e.Body), held.Take(3).Select(m => m.Envelope.Body));
        Assert.Equal(new StoreCounts(0, 0, 4), _store.Counts(_peerRecord.Id));
    }

    [Fact]
    public async Task Inbound_and_outbound_seqs_are_separate_directions()
    {
        await AppendAsync("out 1");
        await _store.CommitInboundAsync(_peerRecord.Id, FromPeer(1));

        var all = _store.ListMessages(new MessageQuery());
        Assert.Equal([(Direction.Outbound, 1L), (Direction.Inbound, 1L)], all.Select(m => (m.Direction, m.Envelope.Seq)));
    }

    [Fact]
    public async Task ApplyReceipt_marks_delivered_and_returns_only_the_envelopes_it_newly_covers()
    {
        for (var i = 1; i <= 6; i++)
        {
            await AppendAsync($"out {i}");
        }

        var first = await ApplyAsync([1, 2, 3]);
        var second = await ApplyAsync([1, 2, 3, 4, 5]);
        var again = await ApplyAsync([1, 2, 3, 4, 5]);

        Assert.Equal([1L, 2, 3], first.Select(c => c.Seq));
        Assert.Equal([4L, 5], second.Select(c => c.Seq));
        Assert.Empty(again);
        Assert.All(first.Concat(second), c => Assert.Null(c.Rejected));
        Assert.Equal([6L], _store.LoadUndelivered(_peerRecord.Id).Select(m => m.Envelope.Seq));
        var delivered = _store.ListMessages(new MessageQuery()).Where(m => m.DeliveredAt is not null).Select(m => m.Envelope.Seq);
        Assert.Equal([1L, 2, 3, 4, 5], delivered);
        Assert.Equal(new StoreCounts(6, 1, 0), _store.Counts(_peerRecord.Id));
    }

    [Fact]
    public async Task ApplyReceipt_with_a_rejection_marks_it_rejected_for_good()
    {
        for (var i = 1; i <= 3; i++)
        {
            await AppendAsync($"out {i}");
        }

        var changes = await ApplyAsync([1, 3], (2, "bad channel name"));
        var later = await ApplyAsync([1, 2, 3]);

        Assert.Equal([(1L, (string?)null), (3L, null), (2L, "bad channel name")], changes.Select(c => (c.Seq, c.Rejected)));
        Assert.Empty(later);
        Assert.Empty(_store.LoadUndelivered(_peerRecord.Id));
        var two = _store.ListMessages(new MessageQuery()).Single(m => m.Envelope.Seq == 2);
        Assert.Equal("bad channel name", two.Rejected);
        Assert.Null(two.DeliveredAt);
    }

    [Fact]
    public async Task A_receipt_of_hundreds_with_a_refusal_among_them_marks_each_under_the_one_stored_receipt()
    {
        await _store.AppendOutboundAsync([.. Enumerable.Range(1, 300).Select(i => (_peerRecord, new EnvelopeDraft { Channel = "navy", Text = $"out {i}" }))]);

        // Committed 1-130 and 132-300, 131 refused.
        var changes = await ApplyAsync([.. Enumerable.Range(1, 300).Where(i => i != 131).Select(i => (long)i)], (131, "bad channel name"));

        Assert.Equal([.. Enumerable.Range(1, 300).Where(i => i != 131).Select(i => (long)i).Append(131)], changes.Select(c => c.Seq));
        Assert.Equal("bad channel name", changes[^1].Rejected);
        Assert.Empty(_store.LoadUndelivered(_peerRecord.Id));
        var receipts = await _store.OnWriterAsync(db => db.Scalar<long>("SELECT count(*) FROM receipts"));
        var pointedAt = await _store.OnWriterAsync(db => db.Scalar<long>("SELECT count(DISTINCT receipt_id) FROM envelopes WHERE direction = 0"));
        var unpointed = await _store.OnWriterAsync(db => db.Scalar<long>("SELECT count(*) FROM envelopes WHERE direction = 0 AND receipt_id IS NULL"));
        Assert.Equal((1L, 1L, 0L), (receipts, pointedAt, unpointed));
    }

    [Fact]
    public async Task A_receipt_for_a_whole_window_is_applied_in_operations_of_64_that_urgent_work_can_come_between()
    {
        for (var i = 0; i < 10; i++)
        {
            await _store.AppendOutboundAsync([.. Enumerable.Range(1, 100).Select(n => (_peerRecord, new EnvelopeDraft { Channel = "navy", Text = $"out {i}.{n}" }))]);
        }
        var before = _store.Writer.Operations;

        var changes = await ApplyAsync([.. Enumerable.Range(1, 1000).Select(i => (long)i)]);

        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), changes.Select(c => c.Seq));
        Assert.Equal(16, _store.Writer.Operations - before);
        Assert.Empty(_store.LoadUndelivered(_peerRecord.Id));
        var receipts = await _store.OnWriterAsync(db => db.Scalar<long>("SELECT count(*) FROM receipts"));
        Assert.Equal(1, receipts);
    }

    [Fact]
    public async Task A_receipt_whose_range_runs_far_past_what_was_sent_marks_what_was_sent_in_a_bounded_number_of_operations()
    {
        await AppendAsync("out 1");
        await AppendAsync("out 2");
        var receipt = Receipt(_peer, _me.PublicKey, [1, 2]);
        var body = new ReceiptBody { Committed = { new SeqRange { First = 1, Last = (ulong)long.MaxValue } } };
        var before = _store.Writer.Operations;

        var changes = await _store.ApplyReceiptAsync(_peerRecord.Id, receipt, body);

        Assert.Equal([1L, 2L], changes.Select(c => c.Seq));
        Assert.InRange(_store.Writer.Operations - before, 1, 4097);
    }

    [Fact]
    public async Task ApplyReceipt_ignores_seqs_this_node_never_sent()
    {
        await AppendAsync("out 1");
        Assert.Equal([1L], (await ApplyAsync([1, 2, 3, 99])).Select(c => c.Seq));
    }

    [Fact]
    public async Task LoadUndelivered_returns_the_unreceipted_outbound_in_seq_order_only()
    {
        for (var i = 1; i <= 5; i++)
        {
            await AppendAsync($"out {i}");
        }
        await _store.CommitInboundAsync(_peerRecord.Id, FromPeer(2));
        await ApplyAsync([2, 4]);

        var undelivered = _store.LoadUndelivered(_peerRecord.Id);

        Assert.Equal([1L, 3, 5], undelivered.Select(m => m.Envelope.Seq));
        Assert.All(undelivered, m => Assert.Equal(Direction.Outbound, m.Direction));
        Assert.Empty(_store.LoadUndelivered("0000000000000000"));
    }

    [Fact]
    public async Task Everything_survives_closing_and_reopening_and_the_chain_continues()
    {
        for (var i = 1; i <= 4; i++)
        {
            await AppendAsync($"out {i}");
        }
        await _store.CommitInboundAsync(_peerRecord.Id, FromPeer(3));
        await ApplyAsync([1, 2]);
        await _store.RecordSecurityEventAsync("bad-signature", "test detail");
        var before = _store.ListMessages(new MessageQuery());
        await _store.DisposeAsync();

        _store = SqliteStore.Open(DatabaseFile, _me);
        var after = _store.ListMessages(new MessageQuery());
        var undelivered = _store.LoadUndelivered(_peerRecord.Id);
        var fifth = await AppendAsync("out 5");

        Assert.Equal(before.Select(m => (m.Position, m.Direction, m.Envelope.Id, m.DeliveredAt)),
            after.Select(m => (m.Position, m.Direction, m.Envelope.Id, m.DeliveredAt)));
        Assert.Equal(before.Select(m => m.Envelope.Body), after.Select(m => m.Envelope.Body));
        Assert.Equal(_peerRecord.Id, Assert.Single(_store.ListPeers()).Id);
        Assert.Equal([3L, 4], undelivered.Select(m => m.Envelope.Seq));
        Assert.Equal(("bad-signature", "test detail"), _store.ListSecurityEvents().Select(e => (e.Kind, e.Detail)).Single());
        Assert.Equal(5, fifth.Envelope.Seq);
        AssertChained([.. _store.ListMessages(new MessageQuery()).Where(m => m.Direction == Direction.Outbound).Select(m => m.Envelope)]);
    }

    [Fact]
    public async Task ListMessages_pages_by_position_and_filters_by_channel()
    {
        for (var i = 1; i <= 10; i++)
        {
            await AppendAsync($"out {i}", i % 2 == 0 ? "navy" : "air");
        }

        var page1 = _store.ListMessages(new MessageQuery { Limit = 4 });
        var page2 = _store.ListMessages(new MessageQuery { Limit = 4, After = page1[^1].Position });
        var navy = _store.ListMessages(new MessageQuery { Channel = "navy" });

        Assert.Equal([1L, 2, 3, 4], page1.Select(m => m.Envelope.Seq));
        Assert.Equal([5L, 6, 7, 8], page2.Select(m => m.Envelope.Seq));
        Assert.Equal([2L, 4, 6, 8, 10], navy.Select(m => m.Envelope.Seq));
        Assert.Equal(page1[2].Envelope.Id, _store.FindMessage(page1[2].Envelope.Id)!.Envelope.Id);
        Assert.Null(_store.FindMessage(Guid.NewGuid()));
    }

    [Fact]
    public async Task A_list_of_appends_commits_in_its_order_or_not_at_all()
    {
        using var strangerIdentity = NodeIdentity.Create();
        var stranger = _peerRecord with { Key = strangerIdentity.PublicKey, Name = "not paired" };
        var failing = new List<(PeerRecord, EnvelopeDraft)> { (_peerRecord, new() { Channel = "navy", Text = "a" }), (stranger, new() { Channel = "navy", Text = "b" }) };

        // The second envelope names a peer the store does not hold: its insert fails, and so does the first's.
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => _store.AppendOutboundAsync(failing));
        Assert.Empty(_store.ListMessages(new MessageQuery()));

        var committed = new List<long>();
        var stored = await _store.AppendOutboundAsync(
            [.. new[] { "one", "two", "three" }.Select(t => (_peerRecord, new EnvelopeDraft { Channel = "air", Text = t }))],
            m => committed.Add(m.Envelope.Seq));
        Assert.Equal([1L, 2, 3], stored.Select(m => m.Envelope.Seq));
        Assert.Equal([1L, 2, 3], committed);
        // 20: a whole signature batch of 16 signed in the operation, inserted signed, and 4 signed with the transaction.
        await _store.AppendOutboundAsync([.. Enumerable.Range(4, 20).Select(i => (_peerRecord, new EnvelopeDraft { Channel = "air", Text = $"{i}" }))]);

        var onDisk = _store.ListMessages(new MessageQuery());
        Assert.Equal(["one", "two", "three", .. Enumerable.Range(4, 20).Select(i => $"{i}")], onDisk.Select(m => m.Envelope.Text));
        Assert.All(onDisk, m => Assert.NotNull(EnvelopeCodec.Open(_me.PublicKey, _peer.PublicKey, m.Envelope.Body, m.Envelope.Signature).Envelope));
        // Batch signatures: the count is the byte after the 64-byte Ed25519 signature.
        Assert.Equal([3, 3, 3, .. Enumerable.Repeat(16, 16), 4, 4, 4, 4], onDisk.Select(m => (int)m.Envelope.Signature[65]));
    }

    [Fact]
    public async Task The_writer_counts_its_transactions_operations_time_and_cpu()
    {
        var before = _store.Writer;

        await Task.WhenAll(Enumerable.Range(1, 20).Select(i => AppendAsync($"{i}")));
        await AppendAsync("alone");

        var after = _store.Writer;
        Assert.Equal(21, after.Operations - before.Operations);
        // Sends that arrive while one commits share the next transaction; the lone one has its own.
        Assert.InRange(after.Transactions - before.Transactions, 2, 21);
        Assert.True(after.CommitSeconds > before.CommitSeconds);
        Assert.True(after.BusySeconds - before.BusySeconds >= after.CommitSeconds - before.CommitSeconds);
        // The thread's CPU time within that busy time (two clocks: a millisecond of slack).
        Assert.True(after.CpuSeconds > before.CpuSeconds);
        Assert.True(after.CpuSeconds - before.CpuSeconds <= after.BusySeconds - before.BusySeconds + 0.001);
    }

    [Fact]
    public async Task A_version_2_database_loses_the_unused_channel_index_and_keeps_its_messages()
    {
        await AppendAsync("before");
        await _store.DisposeAsync();
        using (var db = OpenFile())
        {
            db.Execute("CREATE INDEX envelopes_channel ON envelopes(channel, pos); PRAGMA user_version=2");
        }

        _store = SqliteStore.Open(DatabaseFile, _me);
        await AppendAsync("after");

        Assert.Equal(["before", "after"], _store.ListMessages(new MessageQuery { Channel = "navy" }).Select(m => m.Envelope.Text));
        using var check = OpenFile(readOnly: true);
        Assert.Equal(0L, check.Scalar<long>("SELECT count(*) FROM sqlite_master WHERE name = 'envelopes_channel'"));
        Assert.Equal(Schema.Version, check.Scalar<long>("PRAGMA user_version"));
    }

    [Fact]
    public async Task A_version_3_store_keeps_the_paths_it_recorded_and_records_new_ones_in_the_envelope_row()
    {
        var (old, inbound, outbound) = (new LinkPath(1, "https://old.example:7443"), new LinkPath(0, "https://in.example:7443"), new LinkPath(2, "https://out.example:7443"));
        var sent = await AppendAsync("before");
        var chain = FromPeer(2);
        await _store.CommitInboundAsync(_peerRecord.Id, chain[..1]);
        await _store.DisposeAsync();
        using (var db = OpenFile())
        {
            // A store as schema 3 left it: no path columns, the path of the envelope that arrived in envelope_paths.
            db.Execute("ALTER TABLE envelopes DROP COLUMN path_index; ALTER TABLE envelopes DROP COLUMN path_endpoint; PRAGMA user_version=3");
            db.Execute("INSERT INTO envelope_paths(pos, path_index, endpoint) SELECT pos, $i, $e FROM envelopes WHERE direction = 1", ("$i", old.Index), ("$e", old.Endpoint));
        }

        _store = SqliteStore.Open(DatabaseFile, _me);
        await _store.CommitInboundAsync(_peerRecord.Id, chain[1..], inbound);
        var receipt = Receipt(_peer, _me.PublicKey, [1]);
        await _store.ApplyReceiptAsync(_peerRecord.Id, receipt, ReceiptCodec.Open(_peer.PublicKey, _me.PublicKey, receipt)!, outbound);

        Assert.Equal(old, _store.PathOf(chain[0].Id, Direction.Inbound));
        Assert.Equal(inbound, _store.PathOf(chain[1].Id, Direction.Inbound));
        Assert.Equal(outbound, _store.PathOf(sent.Envelope.Id, Direction.Outbound));
        using var check = OpenFile(readOnly: true);
        Assert.Equal(1L, check.Scalar<long>("SELECT count(*) FROM envelope_paths"));
        Assert.Equal(Schema.Version, check.Scalar<long>("PRAGMA user_version"));
    }

    [Fact]
    public async Task A_new_store_numbers_envelopes_and_receipts_without_a_sequence_row_and_keeps_positions_increasing()
    {
        // sqlite_sequence (AUTOINCREMENT) would be one more page written in every commit.
        var first = await AppendAsync("one");
        await ApplyAsync([1]);
        await _store.DisposeAsync();
        _store = SqliteStore.Open(DatabaseFile, _me);
        var second = await AppendAsync("two");
        await _store.CommitInboundAsync(_peerRecord.Id, FromPeer(1), new LinkPath(0, "https://in.example:7443"));
        await ApplyAsync([2]);

        Assert.Equal([first.Position, second.Position], _store.ListMessages(new MessageQuery { Direction = Direction.Outbound }).Select(m => m.Position));
        Assert.True(second.Position > first.Position);
        Assert.True(_store.ListMessages(new MessageQuery { Direction = Direction.Inbound }).Single().Position > second.Position);
        using var check = OpenFile(readOnly: true);
        Assert.Equal(0L, check.Scalar<long>("SELECT count(*) FROM sqlite_sequence WHERE name IN ('envelopes', 'receipts')"));
        Assert.Equal("1,2", check.Scalar<string>("SELECT group_concat(receipt_id) FROM (SELECT receipt_id FROM receipts ORDER BY receipt_id)"));
    }

    [Fact]
    public async Task The_write_ahead_log_is_cut_back_after_a_flood_that_a_reader_held_open()
    {
        var wal = new FileInfo(DatabaseFile + "-wal");
        var text = new string('x', 60_000);
        // A reader's open snapshot keeps the log from restarting: a flood grows it past the limit.
        using (var reader = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabaseFile}"))
        {
            reader.Open();
            using var snapshot = reader.BeginTransaction(deferred: true);
            using (var read = reader.CreateCommand())
            {
                read.CommandText = "SELECT count(*) FROM envelopes";
                read.ExecuteScalar();
            }
            for (var i = 0; i < 400; i++)
            {
                await AppendAsync(text);
            }
            wal.Refresh();
            Assert.True(wal.Length > SqliteStore.JournalSizeLimit, $"the log is {wal.Length} bytes");
        }
        // Later commits checkpoint it, restart it from the top and cut the file back to the limit.
        var appended = 400;
        for (; appended < 420 && wal.Length > SqliteStore.JournalSizeLimit; appended++)
        {
            await AppendAsync(text);
            wal.Refresh();
        }
        Assert.InRange(wal.Length, 0, SqliteStore.JournalSizeLimit);
        Assert.Equal(appended, _store.Counts(_peerRecord.Id).Outbound);
    }

    [Fact]
    public async Task A_store_reader_sees_one_snapshot_while_the_node_goes_on_committing()
    {
        await AppendAsync("one");
        using var reader = StoreReader.Open(DatabaseFile);
        Assert.Single(reader.Envelopes(_peerRecord.Id, 0));
        await AppendAsync("two");
        // hotline verify and export check entries against checkpoints read later: all from one moment.
        Assert.Single(reader.Envelopes(_peerRecord.Id, 0));
        Assert.Empty(reader.Envelopes(_peerRecord.Id, 0, 2, 2));
        using var later = StoreReader.Open(DatabaseFile);
        Assert.Equal([1L, 2L], later.Envelopes(_peerRecord.Id, 0).Select(r => r.Long("seq")!.Value));
    }

    [Fact]
    public async Task Entry_hashes_are_read_in_chunks_in_order_across_chunk_borders_and_stop_when_told()
    {
        var count = 2 * SqliteStore.EntryHashChunk + 3;
        var stored = new List<StoredMessage>();
        for (var i = 0; i < count; i += 100)
        {
            stored.AddRange(await _store.AppendOutboundAsync(
                [.. Enumerable.Range(i, Math.Min(100, count - i)).Select(n => (_peerRecord, new EnvelopeDraft { Channel = "navy", Text = $"{n}" }))]));
        }
        List<(long Seq, byte[] Hash)> Read(long first, long last, int stopAfter = int.MaxValue)
        {
            var seen = new List<(long, byte[])>();
            _store.ForEachEntryHash(_peerRecord.Id, Direction.Outbound, first, last, (seq, hash) =>
            {
                seen.Add((seq, hash));
                return seen.Count < stopAfter;
            });
            return seen;
        }

        Assert.Equal(stored.Select(m => (m.Envelope.Seq, m.Envelope.Hash)), Read(1, count));
        var border = SqliteStore.EntryHashChunk;
        Assert.Equal(Enumerable.Range(border - 2, 6).Select(n => (long)n), Read(border - 2, border + 3).Select(e => e.Seq));
        Assert.Equal(Enumerable.Range(1, border + 1).Select(n => (long)n), Read(1, long.MaxValue, stopAfter: border + 1).Select(e => e.Seq));
        Assert.Equal([(long)count], Read(count, long.MaxValue).Select(e => e.Seq));
        Assert.Empty(Read(count + 1, long.MaxValue));
    }

    [Fact]
    public async Task The_held_inbound_prefix_is_found_across_chunks_and_stops_at_the_first_gap()
    {
        var count = 2 * SqliteStore.EntryHashChunk + 3;
        var inbound = FromPeer(count);
        for (var i = 0; i < count; i += 500)
        {
            await _store.CommitInboundAsync(_peerRecord.Id, [.. inbound.Skip(i).Take(500)]);
        }
        Assert.Equal(count, _store.HeldInboundPrefix(_peerRecord.Id));
        Assert.Equal(count, _store.HeldInboundPrefix(_peerRecord.Id, known: SqliteStore.EntryHashChunk - 1));

        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabaseFile}"))
        {
            db.Open();
            using var delete = db.CreateCommand();
            delete.CommandText = $"DELETE FROM envelopes WHERE direction = 1 AND seq = {SqliteStore.EntryHashChunk + 10}";
            delete.ExecuteNonQuery();
        }
        Assert.Equal(SqliteStore.EntryHashChunk + 9, _store.HeldInboundPrefix(_peerRecord.Id));
    }

    [Fact]
    public async Task Counts_follow_each_direction_past_gaps_receipts_and_another_peers_rows()
    {
        using var other = NodeIdentity.Create();
        var otherRecord = new PeerRecord
        {
            Key = other.PublicKey, Name = "Other", TlsSha256 = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            Endpoints = ["https://127.0.0.1:2"], Channels = ["navy"], CardJson = "{}", Labels = [Hotline.Core.Messages.Label.Default], AddedAt = Now,
        };
        await _store.AddPeerAsync(otherRecord);
        var inbound = FromPeer(6);
        for (var i = 1; i <= 3; i++)
        {
            await AppendAsync($"out {i}");
        }
        await _store.CommitInboundAsync(_peerRecord.Id, [inbound[0], inbound[1], inbound[3]]);
        Assert.Equal(new StoreCounts(3, 3, 3), _store.Counts(_peerRecord.Id));

        // Rows after the first count: counted on from where it stopped, the other peer's left out.
        await _store.AppendOutboundAsync(otherRecord, new EnvelopeDraft { Channel = "navy", Text = "to the other" });
        var fromOther = EnvelopeCodec.Seal(other, _me.PublicKey, new EnvelopeDraft { Channel = "navy", Text = "from the other" }, 1, [], Now);
        await _store.CommitInboundAsync(otherRecord.Id, [fromOther]);
        await AppendAsync("out 4");
        await _store.CommitInboundAsync(_peerRecord.Id, [inbound[2], inbound[4]]);
        await ApplyAsync([1, 2, 3]);

        Assert.Equal(new StoreCounts(4, 1, 5), _store.Counts(_peerRecord.Id));
        Assert.Equal(new StoreCounts(1, 1, 1), _store.Counts(otherRecord.Id));
        Assert.Equal(new StoreCounts(4, 1, 5), _store.Counts(_peerRecord.Id));
        await using var reopened = SqliteStore.Open(_temp.Combine("hotline.db"), _me);
        Assert.Equal(new StoreCounts(4, 1, 5), reopened.Counts(_peerRecord.Id));
    }

    [Fact]
    public async Task Reads_that_run_all_the_time_read_only_what_they_need()
    {
        await AppendAsync("out 1");
        using var db = OpenFile(readOnly: true);
        string Plan(string sql)
        {
            using var command = db.CreateCommand();
            command.CommandText = "EXPLAIN QUERY PLAN " + sql;
            foreach (var name in new[] { "$p", "$after", "$top", "$l", "$k" }.Where(sql.Contains))
            {
                command.Parameters.AddWithValue(name, name switch { "$p" => _peerRecord.Id, "$k" => AlarmKinds.LineTestMissed, _ => 1 });
            }
            using var r = command.ExecuteReader();
            var steps = new List<string>();
            while (r.Read())
            {
                steps.Add(r.GetString(3));
            }
            return string.Join(" | ", steps);
        }

        // Undelivered envelopes through the outbox index, not every outbound row of the peer.
        Assert.Contains("USING INDEX envelopes_outbox", Plan($"SELECT count(*) FROM {SqliteStore.Pending}"));
        Assert.Contains("USING INDEX envelopes_outbox", Plan($"SELECT min(seq) FROM {SqliteStore.Pending}"));
        // New inbound rows by position, not all of the peer's.
        Assert.Contains("INTEGER PRIMARY KEY (rowid>? AND rowid<?)", Plan(SqliteStore.InboundBetween));
        // Open alarms through their index, not every alarm ever raised.
        Assert.Contains("USING INDEX alarms_open", Plan(SqliteStore.OpenAlarms));
        Assert.Contains("USING COVERING INDEX alarms_peer_kind", Plan(SqliteStore.CountAlarmsOf));
    }
}
