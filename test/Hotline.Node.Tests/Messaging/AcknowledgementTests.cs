using Hotline.Node.Messaging;
using Hotline.Protocol;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Messaging;

public sealed class AcknowledgementTests
{
    [Fact]
    public async Task Seen_and_acknowledged_travel_back_as_signed_envelopes_with_who_and_when()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (a, b) = (cluster.A, cluster.B);
        var sent = (await a.SendAsync(b, "ministerial", "Request a call at 0900Z", "PRIORITY")).Value!;
        await cluster.WaitAllDeliveredAsync();
        Assert.Equal("delivered", MessageView.From(a.Store.FindMessage(sent.Id)!, "en").State);

        using var events = a.Events.Subscribe();
        Assert.Equal(200, (await b.Messages.RespondAsync(sent.Id, EnvelopeKind.Seen, "Lt Wang", null, default)).Status);
        await Poll.UntilAsync(() => a.Store.FindMessage(sent.Id)!.SeenBy == "Lt Wang", "A to learn the message was seen");
        Assert.Equal("seen", MessageView.From(a.Store.FindMessage(sent.Id)!, "en").State);

        var ack = await b.Messages.RespondAsync(sent.Id, EnvelopeKind.Acknowledgement, "Cdr Li", "Agreed, 0900Z", default);
        Assert.Equal(200, ack.Status);
        await Poll.UntilAsync(() => a.Store.FindMessage(sent.Id)!.AcknowledgedAt is not null, "A to learn the message was acknowledged");
        var atA = a.Store.FindMessage(sent.Id)!;
        Assert.Equal(("Cdr Li", "Agreed, 0900Z"), (atA.AcknowledgedBy, atA.Reply));

        var types = new List<string>();
        while (events.Reader.TryRead(out var e))
        {
            types.Add(e.Type);
        }
        Assert.Contains(EventTypes.MessageSeen, types);
        Assert.Contains(EventTypes.MessageAcknowledged, types);

        // The responses are envelopes of the record in their own right, signed by B.
        var responses = a.Store.ListMessages(new Hotline.Storage.MessageQuery { IncludeResponses = true })
            .Where(m => m.Envelope.Reference == sent.Id).Select(m => m.Envelope.Kind).ToList();
        Assert.Equal([EnvelopeKind.Seen, EnvelopeKind.Acknowledgement], responses);

        var again = await b.Messages.RespondAsync(sent.Id, EnvelopeKind.Acknowledgement, "Someone else", null, default);
        Assert.Equal(409, again.Status);
        Assert.Contains("already acknowledged by Cdr Li", again.Error, StringComparison.Ordinal);

        var own = await a.Messages.RespondAsync(sent.Id, EnvelopeKind.Acknowledgement, "Maj Kim", null, default);
        Assert.Equal(400, own.Status);
    }
}
