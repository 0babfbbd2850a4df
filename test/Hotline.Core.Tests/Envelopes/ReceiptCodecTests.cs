using Google.Protobuf;
using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Protocol;
using Xunit;

namespace Hotline.Core.Tests.Envelopes;

public sealed class ReceiptCodecTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 15, 30, 0, TimeSpan.Zero);
    private readonly NodeIdentity _receiver = NodeIdentity.Create();
    private readonly NodeIdentity _sender = NodeIdentity.Create();

    public void Dispose()
    {
        _receiver.Dispose();
        _sender.Dispose();
    }

    [Fact]
    public void Seal_compresses_committed_seqs_into_ranges_whatever_their_order()
    {
        var receipt = ReceiptCodec.Seal(_receiver, _sender.PublicKey, [8, 3, 1, 2, 7, 5, 2, 10], [], Now);

        var body = ReceiptCodec.Open(_receiver.PublicKey, _sender.PublicKey, receipt);

        Assert.NotNull(body);
        Assert.Equal([(1ul, 3ul), (5ul, 5ul), (7ul, 8ul), (10ul, 10ul)], body.Committed.Select(r => (r.First, r.Last)));
        Assert.Equal([1L, 2, 3, 5, 7, 8, 10], ReceiptCodec.Expand(body));
        Assert.Equal(Now.ToUnixTimeMilliseconds(), body.CommittedUnixMs);
    }

    [Fact]
    public void Seal_with_no_committed_seqs_has_no_ranges_and_keeps_rejections()
    {
        var receipt = ReceiptCodec.Seal(_receiver, _sender.PublicKey, [], [(4, "bad signature"), (9, "text too long")], Now);

        var body = ReceiptCodec.Open(_receiver.PublicKey, _sender.PublicKey, receipt)!;

        Assert.Empty(body.Committed);
        Assert.Empty(ReceiptCodec.Expand(body));
        Assert.Equal([(4ul, "bad signature"), (9ul, "text too long")], body.Rejected.Select(r => (r.Seq, r.Reason)));
    }

    [Fact]
    public void ToRanges_of_one_long_run_is_one_range()
    {
        var seqs = Enumerable.Range(1, 1000).Select(i => (long)i).ToList();
        var range = Assert.Single(ReceiptCodec.ToRanges(seqs));
        Assert.Equal((1ul, 1000ul), (range.First, range.Last));
    }

    [Fact]
    public void Open_refuses_a_receipt_with_a_flipped_signature_or_body_byte()
    {
        var receipt = ReceiptCodec.Seal(_receiver, _sender.PublicKey, [1, 2, 3], [], Now);

        var signature = receipt.Signature.ToByteArray();
        signature[10] ^= 0x40;
        Assert.Null(ReceiptCodec.Open(_receiver.PublicKey, _sender.PublicKey,
            new SignedReceipt { Body = receipt.Body, Signature = ByteString.CopyFrom(signature) }));

        var body = receipt.Body.ToByteArray();
        body[^1] ^= 0x01;
        Assert.Null(ReceiptCodec.Open(_receiver.PublicKey, _sender.PublicKey,
            new SignedReceipt { Body = ByteString.CopyFrom(body), Signature = receipt.Signature }));

        Assert.Null(ReceiptCodec.Open(_receiver.PublicKey, _sender.PublicKey,
            new SignedReceipt { Body = receipt.Body, Signature = ByteString.Empty }));
    }

    [Fact]
    public void Open_refuses_a_receipt_signed_by_someone_else_or_about_another_sender()
    {
        using var stranger = NodeIdentity.Create();
        var forged = ReceiptCodec.Seal(stranger, _sender.PublicKey, [1], [], Now);
        Assert.Null(ReceiptCodec.Open(_receiver.PublicKey, _sender.PublicKey, forged));

        var aboutOther = ReceiptCodec.Seal(_receiver, stranger.PublicKey, [1], [], Now);
        Assert.Null(ReceiptCodec.Open(_receiver.PublicKey, _sender.PublicKey, aboutOther));
        Assert.NotNull(ReceiptCodec.Open(_receiver.PublicKey, stranger.PublicKey, aboutOther));
    }

    [Fact]
    public void A_signed_envelope_is_not_accepted_as_a_receipt()
    {
        // Domain separation: the same key signs envelopes and receipts.
        var envelope = EnvelopeCodec.Seal(_receiver, _sender.PublicKey, new EnvelopeDraft { Channel = "navy", Text = "x" }, 1, [], Now);
        var asReceipt = new SignedReceipt { Body = ByteString.CopyFrom(envelope.Body), Signature = ByteString.CopyFrom(envelope.Signature) };
        Assert.Null(ReceiptCodec.Open(_receiver.PublicKey, _sender.PublicKey, asReceipt));
    }
}
