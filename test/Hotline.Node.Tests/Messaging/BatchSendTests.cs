using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.Cli;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Messaging;

public sealed class BatchSendTests
{
    [Fact]
    public async Task A_batch_is_committed_in_its_order_and_each_message_arrives_once()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (a, b) = (cluster.A, cluster.B);
        var texts = Enumerable.Range(1, 7).Select(i => $"position report {i}").ToList();
        var messages = texts.Select((t, i) => new { peer = b.Id, channel = "navy", text = t, precedence = i == 3 ? "IMMEDIATE" : "ROUTINE" });

        var answer = await a.Api.PostAsync("/api/messages/batch", new { messages });

        var committed = answer.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(texts, committed.Select(m => m.GetProperty("text").GetString()));
        var seqs = committed.Select(m => m.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range((int)seqs[0], texts.Count).Select(s => (long)s), seqs);
        Assert.Equal("IMMEDIATE", committed[3].GetProperty("precedence").GetString());
        Assert.All(committed, m => Assert.Equal("committed", m.GetProperty("state").GetString()));

        await cluster.WaitAllDeliveredAsync(TimeSpan.FromSeconds(30));
        // In sequence order as sent; on the wire the IMMEDIATE one may go ahead of the routine ones.
        var inbound = b.Inbound(a).OrderBy(m => m.Envelope.Seq).ToList();
        Assert.Equal(texts, inbound.Select(m => m.Envelope.Text));
        Assert.Equal(committed.Select(m => m.GetProperty("id").GetGuid()), inbound.Select(m => m.Envelope.Id));
    }

    [Fact]
    public async Task One_bad_message_refuses_the_whole_batch_by_its_index_and_commits_nothing()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (a, b) = (cluster.A, cluster.B);
        var good = new { peer = b.Id, channel = "navy", text = "fine" };

        var badPrecedence = await Assert.ThrowsAsync<CliError>(() => a.Api.PostAsync("/api/messages/batch",
            new { messages = new object[] { good, good, new { peer = b.Id, channel = "navy", text = "x", precedence = "URGENT" } } }));
        Assert.Contains("messages[2]: unknown precedence 'URGENT'", badPrecedence.Message, StringComparison.Ordinal);

        using var unknownPeer = await Post(a, new { messages = new object[] { good, new { peer = "nobody", channel = "navy", text = "x" } } });
        Assert.Equal(HttpStatusCode.NotFound, unknownPeer.StatusCode);
        Assert.Equal("application/problem+json", unknownPeer.Content.Headers.ContentType?.MediaType);
        Assert.Contains("messages[1]: unknown peer 'nobody'", await unknownPeer.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var empty = await Post(a, new { messages = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("messages is empty", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var nullItem = await Post(a, new { messages = new object?[] { good, null } });
        Assert.Equal(HttpStatusCode.BadRequest, nullItem.StatusCode);
        Assert.Contains("messages[1]: the message is null", await nullItem.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var tooMany = await Post(a, new { messages = Enumerable.Repeat(good, 101) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany.StatusCode);
        Assert.Contains("101 messages; the limit is 100", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Empty(a.Outbound(b));

        var full = await a.Api.PostAsync("/api/messages/batch", new { messages = Enumerable.Repeat(good, 100) });
        Assert.Equal(100, full.GetProperty("messages").GetArrayLength());
        Assert.Equal(100, a.Outbound(b).Count());
    }

    private static Task<HttpResponseMessage> Post(InProcessNode node, object body) =>
        node.Api.Http.PostAsync("/api/messages/batch", JsonContent.Create(body, options: new JsonSerializerOptions(JsonSerializerDefaults.Web)));
}
