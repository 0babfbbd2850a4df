using Hotline.Core.Envelopes;
using Microsoft.Data.Sqlite;

namespace Hotline.Cli.Bench;

/// <summary>
/// After a pair has stopped, reads both nodes' database files and checks that every message the
/// bench sent is held exactly once by its receiver, in an unbroken sequence, and marked delivered
/// by its sender; and that neither holds a message the bench did not send. Reads the schema
/// directly (read-only queries), so that the check does not go through the code it checks.
/// </summary>
internal static class StoreCheck
{
    public static long Run(string dbA, string dbB, IReadOnlyList<Sent> aToB, IReadOnlyList<Sent> bToA, List<string> failures, string label)
    {
        var a = Load(dbA);
        var b = Load(dbB);
        Direction($"{label} A to B", aToB, a.Outbound, b.Inbound, failures);
        Direction($"{label} B to A", bToA, b.Outbound, a.Inbound, failures);
        return a.Outbound.Values.Count(r => r.Message) + b.Outbound.Values.Count(r => r.Message);
    }

    private static void Direction(string name, IReadOnlyList<Sent> sent, Dictionary<Guid, Row> outbound, Dictionary<Guid, Row> inbound, List<string> failures)
    {
        var ids = sent.Select(s => s.Id).ToHashSet();
        if (ids.Count != sent.Count)
        {
            failures.Add($"{name}: the sender's API returned the same id for {sent.Count - ids.Count} different sends");
        }
        var notStored = ids.Count(id => !outbound.ContainsKey(id));
        var notDelivered = outbound.Values.Count(r => r.Message && !r.Delivered);
        var missing = ids.Count(id => !inbound.ContainsKey(id));
        var extraOut = outbound.Count(r => r.Value.Message && !ids.Contains(r.Key));
        var extraIn = inbound.Count(r => r.Value.Message && !ids.Contains(r.Key));
        var seqs = inbound.Values.Select(r => r.Seq).Order().ToArray();
        var gaps = seqs.Where((s, i) => s != i + 1).Count();
        Add(notStored, "accepted messages are not in the sender's store");
        Add(notDelivered, "messages in the sender's store are not marked delivered");
        Add(missing, "messages are not in the receiver's store");
        Add(extraOut, "messages in the sender's store were never sent by the bench");
        Add(extraIn, "messages in the receiver's store were never sent by the bench");
        Add(gaps, "positions in the receiver's sequence are not 1..N without gaps");

        void Add(int count, string what)
        {
            if (count > 0)
            {
                failures.Add($"{name}: {count} {what}");
            }
        }
    }

    /// <param name="Message">
    /// A message (kind 1). The nodes' own envelopes, such as a scheduled line test at the top of the
    /// hour and its answer, are not the bench's: they take their places in the sequence, but are
    /// neither expected nor counted as extra.
    /// </param>
    private readonly record struct Row(long Seq, bool Delivered, bool Message);

    private static (Dictionary<Guid, Row> Outbound, Dictionary<Guid, Row> Inbound) Load(string path)
    {
        var outbound = new Dictionary<Guid, Row>();
        var inbound = new Dictionary<Guid, Row>();
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT id, seq, direction, delivered_ms IS NOT NULL AND rejected IS NULL, kind = 1 FROM envelopes";
        using var r = command.ExecuteReader();
        while (r.Read())
        {
            var id = Uuid7.FromBytes((byte[])r[0]);
            var row = new Row(r.GetInt64(1), r.GetBoolean(3), r.GetBoolean(4));
            var target = r.GetInt32(2) == 0 ? outbound : inbound;
            if (!target.TryAdd(id, row))
            {
                throw new BenchFailure($"{path} holds message {id} twice in one direction");
            }
        }
        return (outbound, inbound);
    }
}
