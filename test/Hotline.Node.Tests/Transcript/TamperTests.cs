using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Core.Messages;
using Hotline.Storage.Transcript;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Transcript;

/// <summary>
/// Edits made directly in a stopped node's SQLite file are found by <see cref="StoreVerifier"/>
/// (what 'hotline verify' runs), which names the table, the direction, the seq and what is wrong.
/// Node A's record: out (A → B) seq 1–7, in (B → A) seq 1–5, a checkpoint over out 1–6 and in 1–5.
/// </summary>
[Collection(RecordCollection.Name)]
public sealed class TamperTests(RecordFixture record) : IDisposable
{
    private const string Out = "out (Node A → Node B)";
    private const string In = "in (Node B → Node A)";
    private readonly TempFolder _temp = new("tamper");

    public void Dispose() => _temp.Dispose();

    private string Copy() => RecordFixture.Copy(record.FolderA, _temp);

    private static StoreProblem First(string folder)
    {
        var report = RecordFixture.Verify(folder);
        Assert.False(report.Ok, "the tampered record verified");
        return report.Problems[0];
    }

    [Fact]
    public void The_untouched_record_verifies_with_no_problem_and_no_warning()
    {
        var copy = Copy();
        var files = Directory.GetFiles(copy).Order().ToList();
        var report = RecordFixture.Verify(copy);
        Assert.True(report.Ok, string.Join("\n", report.Problems));
        Assert.Equal(files, Directory.GetFiles(copy).Order()); // read-only: not even a -wal or -shm file appears
        Assert.Empty(report.Warnings);
        var peer = Assert.Single(report.Peers);
        Assert.Equal((7L, 5L, 1, 6L, 5L), (peer.Outbound, peer.Inbound, peer.Checkpoints, peer.CoveredOutbound, peer.CoveredInbound));
    }

    [Fact]
    public void A_refused_entry_takes_its_place_in_the_chain_between_the_envelopes_and_is_held_once()
    {
        // The peer's seq 3 refused instead of accepted: its signed envelope is then kept among the
        // refused entries, read in seq order between seq 2 and seq 4 of the envelopes.
        const string refuse = """
            INSERT INTO refused_envelopes(peer_id, seq, body, signature, hash, reason, received_ms)
            SELECT peer_id, seq, body, signature, hash, 'channel closed', committed_ms FROM envelopes WHERE direction = 1 AND seq = 3
            """;
        var copy = Copy();
        RecordFixture.Sql(copy, refuse + ";\nDELETE FROM envelopes WHERE direction = 1 AND seq = 3");
        var report = RecordFixture.Verify(copy);
        Assert.True(report.Ok, string.Join("\n", report.Problems));
        Assert.Empty(report.Warnings);
        var peer = Assert.Single(report.Peers);
        Assert.Equal((5L, 1L, 5L), (peer.Inbound, peer.Refused, peer.CoveredInbound));

        var twice = Copy2();
        RecordFixture.Sql(twice, refuse);
        var p = First(twice);
        Assert.Equal(("refused_envelopes", "seq 3 is held twice"), (p.Table, p.What));
        Assert.Contains($"{In} seq 3", p.Where, StringComparison.Ordinal);
        Assert.Equal(5, Assert.Single(RecordFixture.Verify(twice).Peers).Inbound);
    }

    [Fact]
    public void A_changed_body_byte_is_found_at_its_entry_as_a_signature_that_no_longer_verifies()
    {
        var copy = Copy();
        var body = RecordFixture.Scalar<byte[]>(copy, "SELECT body FROM envelopes WHERE direction = 1 AND seq = 2");
        body[^3] ^= 0x01; // inside the text
        RecordFixture.Sql(copy, "UPDATE envelopes SET body = $b WHERE direction = 1 AND seq = 2", ("$b", body));
        var p = First(copy);
        Assert.Equal("envelopes", p.Table);
        Assert.Contains($"{In} seq 2", p.Where, StringComparison.Ordinal);
        Assert.Contains("the stored envelope does not verify: the signature does not verify", p.What, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_signature_is_found()
    {
        var copy = Copy();
        RecordFixture.Sql(copy, "UPDATE envelopes SET signature = zeroblob(64) WHERE direction = 0 AND seq = 3");
        var p = First(copy);
        Assert.Contains($"{Out} seq 3", p.Where, StringComparison.Ordinal);
        Assert.Contains("does not verify", p.What, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("channel", "'air'", "column channel is 'air' but the signed envelope says 'ministerial'")]
    [InlineData("precedence", "4", "column precedence is 4 but the signed envelope says 1")]
    [InlineData("created_ms", "0", "column created_ms is 0 but the signed envelope says")]
    [InlineData("label", "'SECRET//HOTLINE'", "column label is 'SECRET//HOTLINE' but the signed envelope says 'UNCLASSIFIED//HOTLINE'")]
    public void A_changed_column_that_repeats_a_signed_field_is_found(string column, string value, string expected)
    {
        var copy = Copy();
        RecordFixture.Sql(copy, $"UPDATE envelopes SET {column} = {value} WHERE direction = 1 AND seq = 3");
        var p = First(copy);
        Assert.Contains($"{In} seq 3", p.Where, StringComparison.Ordinal);
        Assert.Contains(expected, p.What, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_hash_column_is_found()
    {
        var copy = Copy();
        RecordFixture.Sql(copy, "UPDATE envelopes SET hash = zeroblob(32) WHERE direction = 0 AND seq = 2");
        var p = First(copy);
        Assert.Contains($"{Out} seq 2", p.Where, StringComparison.Ordinal);
        Assert.Equal("column hash is not the SHA-256 of the stored body", p.What);
    }

    [Fact]
    public void Changed_acknowledgement_and_seen_states_are_found_against_the_signed_envelopes_that_carry_them()
    {
        var copy = Copy();
        RecordFixture.Sql(copy, "UPDATE envelopes SET acked_by = 'Someone else' WHERE direction = 0 AND seq = 2");
        var p = First(copy);
        Assert.Contains($"{Out} seq 2", p.Where, StringComparison.Ordinal);
        Assert.Contains("the signed acknowledgement (seq 5) says 'Cdr Li'", p.What, StringComparison.Ordinal);

        var second = Copy2();
        RecordFixture.Sql(second, "UPDATE envelopes SET acked_ms = 1, acked_by = 'Forged' WHERE direction = 0 AND seq = 3");
        Assert.Contains("marked acknowledged (by 'Forged'), but no signed acknowledgement names it", First(second).What, StringComparison.Ordinal);

        var third = Copy3();
        RecordFixture.Sql(third, "UPDATE envelopes SET seen_ms = NULL, seen_by = NULL WHERE direction = 0 AND seq = 1");
        Assert.Contains("names it, but it is not marked seen", First(third).What, StringComparison.Ordinal);
    }

    private string Copy2() => RecordFixture.Copy(record.FolderA, _temp, "copy2");

    private string Copy3() => RecordFixture.Copy(record.FolderA, _temp, "copy3");

    [Fact]
    public void Changed_delivery_states_are_found_against_the_peers_receipts()
    {
        var copy = Copy();
        RecordFixture.Sql(copy, "UPDATE envelopes SET delivered_ms = NULL, receipt_id = NULL WHERE direction = 0 AND seq = 1");
        var p = First(copy);
        Assert.Contains($"{Out} seq 1", p.Where, StringComparison.Ordinal);
        Assert.Contains("a receipt from the peer covers it, but it is not marked delivered", p.What, StringComparison.Ordinal);

        var second = Copy2();
        RecordFixture.Sql(second, "UPDATE envelopes SET rejected = 'refused' WHERE direction = 0 AND seq = 4");
        Assert.Contains("marked rejected ('refused'), but no receipt from the peer rejects it so", First(second).What, StringComparison.Ordinal);

        // The tail, receipted after the checkpoint, attributed to the receipt of the first message.
        var third = Copy3();
        RecordFixture.Sql(third, """
            UPDATE envelopes SET receipt_id = (SELECT receipt_id FROM envelopes WHERE direction = 0 AND seq = 1)
            WHERE direction = 0 AND seq = (SELECT max(seq) FROM envelopes WHERE direction = 0)
            """);
        Assert.Contains("does not refer to a receipt of the peer that covers it", First(third).What, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_row_in_the_middle_of_our_own_direction_is_found()
    {
        var copy = Copy();
        RecordFixture.Sql(copy, "DELETE FROM envelopes WHERE direction = 0 AND seq = 3");
        var p = First(copy);
        Assert.Contains($"{Out} seq 3", p.Where, StringComparison.Ordinal);
        Assert.Contains("seq 3 is missing while seq 4 is held", p.What, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_row_of_the_peers_direction_is_found_through_the_co_signed_checkpoint()
    {
        var copy = Copy();
        RecordFixture.Sql(copy, "DELETE FROM envelopes WHERE direction = 1 AND seq = 2");
        var p = First(copy);
        Assert.Equal("checkpoints", p.Table);
        Assert.Contains("covers Node B → Node A seq 1–5, but seq 2 is not held here", p.What, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kept_Merkle_frontier_that_is_not_that_of_the_entries_is_found()
    {
        // The frontier kept with the checkpoint is where the node's next checkpoint starts.
        var copy = Copy();
        Assert.Equal(2L, RecordFixture.Scalar<long>(copy, "SELECT count(*) FROM transcript_frontiers"));
        RecordFixture.Sql(copy, "UPDATE transcript_frontiers SET hashes = randomblob(length(hashes)) WHERE direction = 1");
        var p = First(copy);
        Assert.Equal("transcript_frontiers", p.Table);
        Assert.Contains("its frontier of Node B → Node A seq 1–5 is not that of the entries held here", p.What, StringComparison.Ordinal);

        var second = Copy2();
        RecordFixture.Sql(second, "UPDATE transcript_frontiers SET hashes = x'00' WHERE direction = 0");
        var q = First(second);
        Assert.Equal("transcript_frontiers", q.Table);
        Assert.Contains("not a Merkle frontier", q.What, StringComparison.Ordinal);
    }

    [Fact]
    public void Deleting_the_last_entry_of_either_direction_is_found()
    {
        var copy = Copy();
        RecordFixture.Sql(copy, "DELETE FROM envelopes WHERE direction = 0 AND seq = 7"); // after the checkpoint, but receipted
        var p = First(copy);
        Assert.Equal("receipts", p.Table);
        Assert.Contains("covers out (Node A → Node B) seq 7, but this node holds no such envelope", p.What, StringComparison.Ordinal);

        var second = Copy2();
        RecordFixture.Sql(second, "DELETE FROM envelopes WHERE direction = 1 AND seq = 5");
        var q = First(second);
        Assert.Equal("checkpoints", q.Table);
        Assert.Contains("seq 5 is not held here", q.What, StringComparison.Ordinal);
    }

    [Fact]
    public void An_inserted_row_is_found_whether_it_copies_a_real_envelope_or_forges_one()
    {
        var copy = Copy();
        RecordFixture.Sql(copy,
            """
            INSERT INTO envelopes(peer_id, direction, seq, id, kind, channel, precedence, created_ms, committed_ms, body, signature, hash, delivered_ms, label)
            SELECT peer_id, direction, 6, randomblob(16), kind, channel, precedence, created_ms, committed_ms, body, signature, hash, delivered_ms, label
            FROM envelopes WHERE direction = 1 AND seq = 1
            """);
        var p = First(copy);
        Assert.Contains($"{In} seq 6", p.Where, StringComparison.Ordinal);
        Assert.Contains("the row is seq 6 but its signed envelope is seq 1", p.What, StringComparison.Ordinal);

        var second = Copy2();
        using var forger = NodeIdentity.Create();
        using var me = RecordFixture.Identity(second);
        var forged = EnvelopeCodec.Seal(forger, me.PublicKey, new EnvelopeDraft { Channel = "navy", Text = "forged", Label = Label.Default }, 6,
            RecordFixture.Scalar<byte[]>(second, "SELECT hash FROM envelopes WHERE direction = 1 AND seq = 5"), DateTimeOffset.UtcNow);
        RecordFixture.Sql(second,
            """
            INSERT INTO envelopes(peer_id, direction, seq, id, kind, channel, precedence, created_ms, committed_ms, body, signature, hash, delivered_ms)
            VALUES($p, 1, 6, $id, 1, 'navy', 1, 0, 0, $b, $s, $h, 0)
            """, ("$p", record.IdB), ("$id", Uuid7.ToBytes(forged.Id)), ("$b", forged.Body), ("$s", forged.Signature), ("$h", forged.Hash));
        var q = First(second);
        Assert.Contains($"{In} seq 6", q.Where, StringComparison.Ordinal);
        Assert.Contains("the signature does not verify with the sender's key", q.What, StringComparison.Ordinal);
    }

    [Fact]
    public void Reordered_rows_are_found()
    {
        var copy = Copy();
        RecordFixture.Sql(copy,
            """
            CREATE TEMP TABLE swap AS SELECT seq, body, signature, hash FROM envelopes WHERE direction = 1 AND seq IN (1, 2);
            UPDATE envelopes SET body = (SELECT body FROM swap WHERE swap.seq = 3 - envelopes.seq),
                                 signature = (SELECT signature FROM swap WHERE swap.seq = 3 - envelopes.seq),
                                 hash = (SELECT hash FROM swap WHERE swap.seq = 3 - envelopes.seq)
            WHERE direction = 1 AND seq IN (1, 2);
            """);
        var p = First(copy);
        Assert.Contains($"{In} seq 1", p.Where, StringComparison.Ordinal);
        Assert.Contains("the row is seq 1 but its signed envelope is seq 2 (rows were reordered or altered)", p.What, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_checkpoint_or_receipt_is_found()
    {
        var copy = Copy();
        var body = RecordFixture.Scalar<byte[]>(copy, "SELECT body FROM checkpoints");
        body[80] ^= 0x01; // inside the head of A→B
        RecordFixture.Sql(copy, "UPDATE checkpoints SET body = $b", ("$b", body));
        var p = First(copy);
        Assert.Equal("checkpoints", p.Table);
        Assert.Contains("checkpoint 1", p.Where, StringComparison.Ordinal);
        Assert.Contains("node A's signature", p.What, StringComparison.Ordinal);
        Assert.Contains("does not verify", p.What, StringComparison.Ordinal);

        var second = Copy2();
        var receipt = RecordFixture.Scalar<byte[]>(second, "SELECT body FROM receipts WHERE receipt_id = 1");
        receipt[^1] ^= 0x01;
        RecordFixture.Sql(second, "UPDATE receipts SET body = $b WHERE receipt_id = 1", ("$b", receipt));
        var q = First(second);
        Assert.Equal("receipts", q.Table);
        Assert.Contains("receipt 1", q.Where, StringComparison.Ordinal);
        Assert.Contains("does not verify with the peer's key", q.What, StringComparison.Ordinal);
    }

    [Fact]
    public void A_renamed_or_repinned_peer_is_found_against_its_signed_card()
    {
        var copy = Copy();
        RecordFixture.Sql(copy, "UPDATE peers SET name = 'Someone Else'");
        var p = First(copy);
        Assert.Equal("peers", p.Table);
        Assert.Contains("is not the name on the peer's signed card ('Node B')", p.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_verify_exits_0_on_the_record_and_1_with_a_one_line_reason_on_a_tampered_one()
    {
        var copy = Copy();
        var ok = await HotlineCli.RunAsync("verify", "--data", copy);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("OK: the record of 'Node A'", ok.Stdout, StringComparison.Ordinal);

        RecordFixture.Sql(copy, "DELETE FROM envelopes WHERE direction = 0 AND seq = 3");
        var bad = await HotlineCli.RunAsync("verify", "--data", copy);
        Assert.True(bad.ExitCode == 1, bad.ToString());
        var line = Assert.Single(bad.StderrLines);
        Assert.Contains("was altered", line, StringComparison.Ordinal);
        Assert.Contains("out (Node A → Node B) seq 3", line, StringComparison.Ordinal);

        var missing = await HotlineCli.RunAsync("verify", "--data", _temp.Combine("nowhere"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("holds no Hotline node: run 'hotline init", Assert.Single(missing.StderrLines), StringComparison.Ordinal);
    }
}
