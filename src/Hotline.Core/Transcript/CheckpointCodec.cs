using Google.Protobuf;
using Hotline.Core.Identity;
using Hotline.Protocol;

namespace Hotline.Core.Transcript;

/// <summary>
/// Encodes checkpoint statements canonically, signs them, and checks what a peer or a file says.
/// Canonical: the protobuf encoding of <see cref="CheckpointBody"/> with fields in number order,
/// defaults omitted and nothing else, so both nodes sign the same bytes.
/// </summary>
public static class CheckpointCodec
{
    public static byte[] Encode(CheckpointStatement s)
    {
        var body = new CheckpointBody
        {
            NodeA = ByteString.CopyFrom(s.Sides.A.Bytes),
            NodeB = ByteString.CopyFrom(s.Sides.B.Bytes),
            CountAb = (ulong)s.CountAtoB,
            HeadAb = ByteString.CopyFrom(s.HeadAtoB),
            CountBa = (ulong)s.CountBtoA,
            HeadBa = ByteString.CopyFrom(s.HeadBtoA),
            TranscriptRoot = ByteString.CopyFrom(s.TranscriptRoot),
            CreatedUnixMs = s.Created.ToUnixTimeMilliseconds(),
            Proposer = ByteString.CopyFrom(s.Proposer.Bytes),
        };
        return body.ToByteArray();
    }

    /// <summary>Decodes a checkpoint body; refuses anything but the canonical encoding of a well-formed statement.</summary>
    public static CheckpointDecode Decode(ReadOnlySpan<byte> bytes)
    {
        CheckpointBody body;
        try
        {
            body = CheckpointBody.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            return CheckpointDecode.Fail("the checkpoint body is not a CheckpointBody");
        }
        if (!NodeKey.TryFromBytes(body.NodeA.Span, out var a) || !NodeKey.TryFromBytes(body.NodeB.Span, out var b) || a!.CompareTo(b!) >= 0)
        {
            return CheckpointDecode.Fail("the checkpoint does not name two keys, lower first");
        }
        if (!NodeKey.TryFromBytes(body.Proposer.Span, out var proposer) || !(proposer!.Equals(a) || proposer.Equals(b)))
        {
            return CheckpointDecode.Fail("the checkpoint's proposer is not one of its two nodes");
        }
        if (body.CountAb > long.MaxValue || body.CountBa > long.MaxValue
            || !HeadFits(body.CountAb, body.HeadAb) || !HeadFits(body.CountBa, body.HeadBa) || body.TranscriptRoot.Length != Merkle.HashBytes)
        {
            return CheckpointDecode.Fail("the checkpoint's counts, heads or root are malformed");
        }
        var statement = new CheckpointStatement
        {
            Sides = LinkSides.Of(a, b!),
            CountAtoB = (long)body.CountAb,
            HeadAtoB = body.HeadAb.ToByteArray(),
            CountBtoA = (long)body.CountBa,
            HeadBtoA = body.HeadBa.ToByteArray(),
            TranscriptRoot = body.TranscriptRoot.ToByteArray(),
            Created = DateTimeOffset.FromUnixTimeMilliseconds(body.CreatedUnixMs),
            Proposer = proposer,
        };
        // Re-encoding drops unknown fields and fixes field order: anything else signed would be ambiguous.
        return Encode(statement).AsSpan().SequenceEqual(bytes)
            ? CheckpointDecode.Ok(statement)
            : CheckpointDecode.Fail("the checkpoint body is not canonically encoded");
    }

    private static bool HeadFits(ulong count, ByteString head) => count == 0 ? head.IsEmpty : head.Length == Merkle.HashBytes;

    public static byte[] Sign(NodeIdentity identity, ReadOnlySpan<byte> body) =>
        SignatureDomain.Sign(identity, SignatureDomain.Checkpoint, body);

    public static bool Verify(NodeKey signer, ReadOnlySpan<byte> body, ReadOnlySpan<byte> signature) =>
        SignatureDomain.Verify(signer, SignatureDomain.Checkpoint, body, signature);

    /// <summary>
    /// Checks a stored or exported co-signed checkpoint: canonical body, the signature of A and
    /// the signature of B. Returns the statement, or the first thing wrong.
    /// </summary>
    public static CheckpointDecode Open(ReadOnlySpan<byte> body, ReadOnlySpan<byte> signatureA, ReadOnlySpan<byte> signatureB)
    {
        var decoded = Decode(body);
        if (decoded.Statement is not { } s)
        {
            return decoded;
        }
        if (!Verify(s.Sides.A, body, signatureA))
        {
            return CheckpointDecode.Fail($"node A's signature ({s.Sides.A.Id}) does not verify");
        }
        if (!Verify(s.Sides.B, body, signatureB))
        {
            return CheckpointDecode.Fail($"node B's signature ({s.Sides.B.Id}) does not verify");
        }
        return decoded;
    }
}

public readonly record struct CheckpointDecode(CheckpointStatement? Statement, string? Error)
{
    public static CheckpointDecode Ok(CheckpointStatement s) => new(s, null);
    public static CheckpointDecode Fail(string error) => new(null, error);
}
