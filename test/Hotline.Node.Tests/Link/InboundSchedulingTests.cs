using System.Text;
using Google.Protobuf;
using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Core.Messages;
using Hotline.Node.Link;
using Hotline.Protocol;
using Xunit;

namespace Hotline.Node.Tests.Link;

public sealed class InboundSchedulingTests
{
    [Fact]
    public void A_frame_is_split_where_the_batch_signature_changes_even_when_it_starts_inside_a_batch()
    {
        using var sender = NodeIdentity.Create();
        var bodies = Enumerable.Range(0, 48).Select(i => Encoding.UTF8.GetBytes($"body {i}")).ToArray();
        var signatures = EnvelopeSignature.Sign(sender, bodies);
        var lone = Encoding.UTF8.GetBytes("alone");
        // Envelopes 5 to 45 of three batches of 16, then one signed alone: a frame cut by the window.
        var frame = Enumerable.Range(5, 41)
            .Select(i => Signed(bodies[i], signatures[i]))
            .Append(Signed(lone, EnvelopeSignature.Sign(sender, [lone])[0]))
            .ToList();

        Assert.Equal([(0, 11), (11, 27), (27, 41), (41, 42)], PeerLink.SignatureRuns(frame));
        Assert.Empty(PeerLink.SignatureRuns([]));
    }

    [Theory]
    [InlineData("FLASH", true)]
    [InlineData("FLASH IMMEDIATE", true)]
    [InlineData("FLASH ROUTINE", false)]
    [InlineData("PRIORITY", false)]
    [InlineData("", false)]
    public void Only_a_batch_of_urgent_envelopes_alone_is_checked_ahead_of_routine_ones(string precedences, bool urgent)
    {
        using var sender = NodeIdentity.Create();
        using var recipient = NodeIdentity.Create();
        var batch = new EnvelopeBatch();
        var seq = 0;
        foreach (var name in precedences.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.True(PrecedenceNames.TryParse(name, out var precedence));
            var e = EnvelopeCodec.Seal(sender, recipient.PublicKey, new EnvelopeDraft { Channel = "navy", Text = name, Precedence = precedence }, ++seq, new byte[32], DateTimeOffset.UtcNow);
            batch.Envelopes.Add(Signed(e.Body, e.Signature));
        }
        Assert.Equal(urgent, PeerSession.AllUrgent(batch));

        // Bytes that are no envelope never go ahead: they are refused in their turn.
        batch.Envelopes.Add(Signed([0xff, 0xff, 0xff], new byte[64]));
        Assert.False(PeerSession.AllUrgent(batch));
    }

    private static SignedEnvelope Signed(byte[] body, byte[] signature) =>
        new() { Body = ByteString.CopyFrom(body), Signature = ByteString.CopyFrom(signature) };
}
