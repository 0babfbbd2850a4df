using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Core.Messages;
using Xunit;

namespace Hotline.Core.Tests.Envelopes;

public sealed class EnvelopeCodecTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 15, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Seal_then_Open_round_trips_every_field()
    {
        using var a = NodeIdentity.Create();
        using var b = NodeIdentity.Create();
        var sealed_ = EnvelopeCodec.Seal(a, b.PublicKey,
            new EnvelopeDraft { Channel = "navy", Text = "안녕하세요 你好", Precedence = Precedence.Flash }, 7, new byte[32], Now);

        var opened = EnvelopeCodec.Open(a.PublicKey, b.PublicKey, sealed_.Body, sealed_.Signature);

        Assert.Null(opened.Error);
        var e = opened.Envelope!;
        Assert.Equal(sealed_.Id, e.Id);
        Assert.Equal(7, e.Seq);
        Assert.Equal("navy", e.Channel);
        Assert.Equal("안녕하세요 你好", e.Text);
        Assert.Equal(Precedence.Flash, e.Precedence);
        Assert.Equal(Now, e.Created);
        Assert.Equal(sealed_.Body, e.Body);
    }

    [Fact]
    public void Open_rejects_a_flipped_byte_anywhere_in_the_body()
    {
        using var a = NodeIdentity.Create();
        using var b = NodeIdentity.Create();
        var e = EnvelopeCodec.Seal(a, b.PublicKey, new EnvelopeDraft { Channel = "air", Text = "hello" }, 1, [], Now);
        for (var i = 0; i < e.Body.Length; i++)
        {
            var body = (byte[])e.Body.Clone();
            body[i] ^= 0x01;
            Assert.Equal("bad signature", EnvelopeCodec.Open(a.PublicKey, b.PublicKey, body, e.Signature).Error);
        }
    }

    [Fact]
    public void Open_rejects_an_envelope_signed_by_another_key_or_meant_for_another_node()
    {
        using var a = NodeIdentity.Create();
        using var b = NodeIdentity.Create();
        using var c = NodeIdentity.Create();
        var forged = EnvelopeCodec.Seal(c, b.PublicKey, new EnvelopeDraft { Channel = "air", Text = "x" }, 1, [], Now);
        Assert.Equal("bad signature", EnvelopeCodec.Open(a.PublicKey, b.PublicKey, forged.Body, forged.Signature).Error);

        var elsewhere = EnvelopeCodec.Seal(a, c.PublicKey, new EnvelopeDraft { Channel = "air", Text = "x" }, 1, [], Now);
        Assert.Equal("recipient is not this node", EnvelopeCodec.Open(a.PublicKey, b.PublicKey, elsewhere.Body, elsewhere.Signature).Error);
    }

    [Fact]
    public void Uuid7_is_version_7_and_time_ordered()
    {
        var first = Uuid7.New(Now);
        var later = Uuid7.New(Now.AddMilliseconds(1));
        Assert.Equal(7, first.Version);
        Assert.True(string.CompareOrdinal(first.ToString(), later.ToString()) < 0);
    }

    [Fact]
    public void Dtg_formats_as_military_date_time_group() =>
        Assert.Equal("271530Z NOV 26", Dtg.Format(Now));
}
