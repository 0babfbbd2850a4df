using Hotline.Core.Identity;
using Hotline.Node.Hosting;
using Hotline.Node.Messaging;
using Hotline.Protocol;
using Hotline.Storage.Transcript;
using Hotline.Testing;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Hotline.Node.Tests.Transcript;

[CollectionDefinition(Name)]
public sealed class RecordCollection : ICollectionFixture<RecordFixture>
{
    public const string Name = "stopped two-node record";
}

/// <summary>
/// A real exchange between two nodes, then both stopped: their data folders are the golden record
/// that each test copies before it tampers with or exports from it.
///   A → B: 5 messages (one FLASH, one with HTML in its text), then A's acknowledgement of B's first;
///   B → A: 3 messages, B's seen of A's first and acknowledgement of A's second;
///   a checkpoint co-signed on demand; then one more message A → B ("tail"), delivered but not checkpointed.
/// </summary>
public sealed class RecordFixture : IAsyncLifetime
{
    public const string HtmlText = "<script>alert('x')</script> & \"quoted\" <b>bold</b>";
    public const string AckReply = "Agreed <b>0900Z</b> & out";
    private readonly TempFolder _temp = new("record");

    public string FolderA => _temp.Combine("a");
    public string FolderB => _temp.Combine("b");
    public string NameA => "Node A";
    public string NameB => "Node B";
    public string IdA { get; private set; } = "";
    public string IdB { get; private set; } = "";
    /// <summary>Texts and ids of the messages, by sender, in sending order.</summary>
    public List<(Guid Id, string Text)> FromA { get; } = [];
    public List<(Guid Id, string Text)> FromB { get; } = [];
    public (Guid Id, string Text) Tail { get; private set; }

    public async Task InitializeAsync()
    {
        var a = await InProcessNode.StartAsync(FolderA, NameA);
        var b = await InProcessNode.StartAsync(FolderB, NameB);
        try
        {
            (IdA, IdB) = (a.Id, b.Id);
            var cardA = a.ExportCard();
            var cardB = b.ExportCard();
            await a.AddPeerAsync(cardB);
            await b.AddPeerAsync(cardA);
            await Poll.UntilAsync(() => a.IsUpWith(b) && b.IsUpWith(a), "the link to come up");

            string[] texts = ["alpha one: request a call", "alpha two: FLASH exercise", HtmlText, "alpha four", "alpha five"];
            string?[] precedences = ["ROUTINE", "FLASH", "PRIORITY", null, "IMMEDIATE"];
            for (var i = 0; i < texts.Length; i++)
            {
                var sent = (await a.SendAsync(b, "navy", texts[i], precedences[i])).Value!;
                FromA.Add((sent.Id, texts[i]));
            }
            foreach (var text in new[] { "bravo one", "bravo two", "bravo three" })
            {
                var sent = (await b.SendAsync(a, "ministerial", text)).Value!;
                FromB.Add((sent.Id, text));
            }
            await Delivered(a, b);
            Assert.Equal(200, (await b.Messages.RespondAsync(FromA[0].Id, EnvelopeKind.Seen, "Lt Wang", null, default)).Status);
            Assert.Equal(200, (await b.Messages.RespondAsync(FromA[1].Id, EnvelopeKind.Acknowledgement, "Cdr Li", AckReply, default)).Status);
            Assert.Equal(200, (await a.Messages.RespondAsync(FromB[0].Id, EnvelopeKind.Acknowledgement, "Maj Kim", null, default)).Status);
            await Delivered(a, b);
            await Poll.UntilAsync(() => a.Store.FindMessage(FromA[1].Id)!.AcknowledgedAt is not null && a.Store.FindMessage(FromA[0].Id)!.SeenAt is not null
                && b.Store.FindMessage(FromB[0].Id)!.AcknowledgedAt is not null, "the seen and acknowledged states to travel");

            await a.Api.PostAsync($"/api/peers/{b.Id}/checkpoint", new { });
            Assert.NotNull(b.Service<ITranscriptStore>().LatestCheckpoint(a.Id));

            var tail = (await a.SendAsync(b, "navy", "tail after the checkpoint")).Value!;
            Tail = (tail.Id, "tail after the checkpoint");
            await Delivered(a, b);
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    private static Task Delivered(InProcessNode a, InProcessNode b) =>
        Poll.UntilAsync(() => a.Store.Counts(b.Id).Undelivered == 0 && b.Store.Counts(a.Id).Undelivered == 0, "everything to be receipted");

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A fresh copy of a node's data folder inside <paramref name="temp"/>.</summary>
    public static string Copy(string folder, TempFolder temp, string name = "copy")
    {
        var target = temp.Combine(name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(folder))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        return target;
    }

    /// <summary>Runs SQL against a stopped node's database, as someone with the file would.</summary>
    public static void Sql(string folder, string sql, params (string Name, object? Value)[] args)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(folder, "hotline.db")};Pooling=False;Foreign Keys=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        foreach (var (n, v) in args)
        {
            command.Parameters.AddWithValue(n, v ?? DBNull.Value);
        }
        command.ExecuteNonQuery();
    }

    public static T Scalar<T>(string folder, string sql)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(folder, "hotline.db")};Pooling=False;Mode=ReadOnly");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    public static StoreReport Verify(string folder)
    {
        var data = new DataFolder(folder);
        using var identity = data.LoadIdentity();
        using var reader = StoreReader.Open(data.DatabaseFile);
        return StoreVerifier.Verify(reader, identity.PublicKey, data.LoadConfig().Name);
    }

    public static NodeIdentity Identity(string folder) => new DataFolder(folder).LoadIdentity();
}
