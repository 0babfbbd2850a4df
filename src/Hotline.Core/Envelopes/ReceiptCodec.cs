using Google.Protobuf;
using Hotline.Core.Identity;
using Hotline.Protocol;

namespace Hotline.Core.Envelopes;

/// <summary>Signed cumulative receipts: the receiver's proof that it committed envelopes.</summary>
public static class ReceiptCodec
{
    public static SignedReceipt Seal(NodeIdentity receiver, NodeKey sender, IReadOnlyList<long> committedSeqs,
        IEnumerable<(long Seq, string Reason)> rejected, DateTimeOffset now)
    {
        var body = new ReceiptBody
        {
            Sender = ByteString.CopyFrom(sender.Bytes),
            Receiver = ByteString.CopyFrom(receiver.PublicKey.Bytes),
            CommittedUnixMs = now.ToUnixTimeMilliseconds(),
        };
        body.Committed.AddRange(ToRanges(committedSeqs));
        foreach (var (seq, reason) in rejected)
        {
            body.Rejected.Add(new Rejection { Seq = (ulong)seq, Reason = reason });
        }
        var bytes = body.ToByteArray();
        return new SignedReceipt
        {
            Body = ByteString.CopyFrom(bytes),
            Signature = ByteString.CopyFrom(SignatureDomain.Sign(receiver, SignatureDomain.Receipt, bytes)),
        };
    }

    /// <summary>Verifies a receipt from <paramref name="receiver"/> about envelopes <paramref name="sender"/> sent.</summary>
    public static ReceiptBody? Open(NodeKey receiver, NodeKey sender, SignedReceipt receipt)
    {
        if (!SignatureDomain.Verify(receiver, SignatureDomain.Receipt, receipt.Body.Span, receipt.Signature.Span))
        {
            return null;
        }
        try
        {
            var body = ReceiptBody.Parser.ParseFrom(receipt.Body);
            return receiver.Is(body.Receiver.Span) && sender.Is(body.Sender.Span) ? body : null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    public static IEnumerable<long> Expand(ReceiptBody body)
    {
        foreach (var r in body.Committed)
        {
            for (var s = r.First; s <= r.Last && s - r.First < 1_000_000; s++)
            {
                yield return (long)s;
            }
        }
    }

    internal static IEnumerable<SeqRange> ToRanges(IReadOnlyList<long> seqs)
    {
        if (seqs.Count == 0)
        {
            yield break;
        }
        var sorted = seqs.Order().ToArray();
        var first = sorted[0];
        var last = first;
        foreach (var s in sorted.Skip(1))
        {
            if (s == last || s == last + 1)
            {
                last = s;
                continue;
            }
            yield return new SeqRange { First = (ulong)first, Last = (ulong)last };
            first = last = s;
        }
        yield return new SeqRange { First = (ulong)first, Last = (ulong)last };
    }
}
