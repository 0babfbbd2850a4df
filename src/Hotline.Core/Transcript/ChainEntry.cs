using Google.Protobuf;
using Hotline.Core.Envelopes;
using Hotline.Core.Hashing;
using Hotline.Core.Identity;
using Hotline.Protocol;

namespace Hotline.Core.Transcript;

/// <summary>
/// One entry of a transcript: a signed envelope of one direction, whatever its kind, whether the
/// receiver accepted it or refused its content. Its place is its sequence number; its hash is
/// SHA-256 of the exact body bytes.
/// </summary>
public sealed record ChainEntry
{
    public required ChainDirection Direction { get; init; }
    public required long Seq { get; init; }
    public required byte[] Body { get; init; }
    public required byte[] Signature { get; init; }
    public required byte[] Hash { get; init; }
    public required byte[] PrevHash { get; init; }

    /// <summary>
    /// Checks what makes an envelope a transcript entry of direction <paramref name="d"/>: the
    /// sender's signature over the exact bytes, a body that parses, the direction's sender and
    /// recipient, a sequence number from 1, and a chain link of the right shape (empty for seq 1,
    /// 32 bytes after). Content rules (kind, channel, text) are not its concern.
    /// </summary>
    /// <param name="verified">Batch signatures already checked in this run (each batch costs one Ed25519 check).</param>
    public static ChainEntryOpen Open(LinkSides sides, ChainDirection d, byte[] body, byte[] signature, VerifiedRoots? verified = null) =>
        Open(sides, d, body, signature, verified, out _);

    /// <param name="parsed">The body as parsed for the checks, when it passed them: for <see cref="EnvelopeCodec.DecodeTrusted(EnvelopeBody, byte[], byte[], byte[])"/>.</param>
    public static ChainEntryOpen Open(LinkSides sides, ChainDirection d, byte[] body, byte[] signature, VerifiedRoots? verified, out EnvelopeBody? parsedBody)
    {
        parsedBody = null;
        var sender = sides.Sender(d);
        if (body.Length > EnvelopeLimits.MaxBodyBytes)
        {
            return ChainEntryOpen.Fail("the body is larger than any envelope may be");
        }
        if (!EnvelopeSignature.Verify(sender, body, signature, verified))
        {
            return ChainEntryOpen.Fail($"the signature does not verify with the sender's key ({sender.Id})");
        }
        EnvelopeBody parsed;
        try
        {
            parsed = EnvelopeBody.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException)
        {
            return ChainEntryOpen.Fail("the body is not an EnvelopeBody");
        }
        if (!sender.Is(parsed.Sender.Span) || !sides.Recipient(d).Is(parsed.Recipient.Span))
        {
            return ChainEntryOpen.Fail("the body's sender and recipient are not those of its direction");
        }
        if (parsed.Id.Length != 16 || parsed.Seq == 0 || parsed.Seq > long.MaxValue)
        {
            return ChainEntryOpen.Fail("the body's id or sequence number is malformed");
        }
        if (ChainLinkShape((long)parsed.Seq, parsed.PrevHash.Length) is { } bad)
        {
            return ChainEntryOpen.Fail(bad);
        }
        parsedBody = parsed;
        return ChainEntryOpen.Ok(new ChainEntry
        {
            Direction = d,
            Seq = (long)parsed.Seq,
            Body = body,
            Signature = signature,
            Hash = Sha256.Hash(body),
            PrevHash = parsed.PrevHash.ToByteArray(),
        });
    }

    /// <summary>Seq 1 has no predecessor; every later entry names one by its 32-byte hash.</summary>
    public static string? ChainLinkShape(long seq, int prevHashLength) =>
        seq == 1 && prevHashLength != 0 ? "seq 1 carries a prev_hash, but it has no predecessor"
        : seq > 1 && prevHashLength != 32 ? $"prev_hash is {prevHashLength} bytes, not the 32 of a SHA-256"
        : null;

    /// <summary>The decoded envelope (text, kind, precedence …) of a checked entry.</summary>
    public Envelope Decode() => EnvelopeCodec.DecodeTrusted(Body, Signature);
}

public readonly record struct ChainEntryOpen(ChainEntry? Entry, string? Error)
{
    public static ChainEntryOpen Ok(ChainEntry e) => new(e, null);
    public static ChainEntryOpen Fail(string error) => new(null, error);
}
