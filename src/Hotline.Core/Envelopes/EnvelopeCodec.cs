using System.Runtime.InteropServices;
using Google.Protobuf;
using Hotline.Core.Hashing;
using Hotline.Core.Identity;
using Hotline.Core.Messages;
using Hotline.Protocol;

namespace Hotline.Core.Envelopes;

/// <summary>Builds and signs envelopes, and verifies and decodes those that arrive.</summary>
public static class EnvelopeCodec
{
    /// <summary>Encodes and signs a new envelope. The returned bytes are what gets stored and sent.</summary>
    public static Envelope Seal(NodeIdentity sender, NodeKey recipient, EnvelopeDraft draft, long seq,
        ReadOnlySpan<byte> prevHash, DateTimeOffset now)
    {
        var envelope = Build(sender.PublicKey, recipient, draft, seq, prevHash, now);
        SignBatch(sender, [envelope]);
        return envelope;
    }

    /// <summary>Encodes a new envelope without its signature, for <see cref="SignBatch"/>.</summary>
    public static Envelope Build(NodeKey sender, NodeKey recipient, EnvelopeDraft draft, long seq,
        ReadOnlySpan<byte> prevHash, DateTimeOffset now)
    {
        var id = Uuid7.New(now);
        var created = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        var body = new EnvelopeBody
        {
            Id = ByteString.CopyFrom(Uuid7.ToBytes(id)),
            Sender = ByteString.CopyFrom(sender.Bytes),
            Recipient = ByteString.CopyFrom(recipient.Bytes),
            Seq = (ulong)seq,
            CreatedUnixMs = created.ToUnixTimeMilliseconds(),
            Kind = draft.Kind,
            Channel = draft.Channel,
            Precedence = (WirePrecedence)draft.Precedence,
            Text = draft.Text,
            PrevHash = ByteString.CopyFrom(prevHash),
            Language = draft.Language ?? "",
            Actor = draft.Actor ?? "",
            AnswerWithinSeconds = draft.AnswerWithinSeconds,
        };
        if (draft.Label is { } label)
        {
            body.Label = new ConfidentialityLabel { Policy = label.Policy, Classification = label.Classification };
            body.Label.ReleasableTo.AddRange(label.ReleasableTo);
        }
        if (draft.Reference is { } reference)
        {
            body.Reference = ByteString.CopyFrom(Uuid7.ToBytes(reference));
        }
        if (draft.Template is { } template)
        {
            body.Template = new CatalogMessageRef { Id = template.Id, CatalogVersion = template.CatalogVersion };
            body.Template.Values.AddRange(template.Values.Select(v => new CatalogValue { Name = v.Key, Value = v.Value }));
        }
        var bytes = body.ToByteArray();
        return Decode(body, bytes, []);
    }

    /// <summary>Signs envelopes built by <see cref="Build"/> (see <see cref="EnvelopeSignature"/>).</summary>
    public static void SignBatch(NodeIdentity sender, IReadOnlyList<Envelope> envelopes)
    {
        var signatures = EnvelopeSignature.Sign(sender, [.. envelopes.Select(e => e.Body)]);
        for (var i = 0; i < envelopes.Count; i++)
        {
            envelopes[i].Signature = signatures[i];
        }
    }

    /// <summary>
    /// Verifies the signature against the pinned key of the expected sender before anything else,
    /// then decodes and checks the fields.
    /// </summary>
    /// <param name="verified">Batch signatures checked before, shared by the envelopes of a link.</param>
    public static EnvelopeCheck Open(NodeKey expectedSender, NodeKey expectedRecipient,
        ReadOnlyMemory<byte> bodyBytes, ReadOnlyMemory<byte> signatureBytes, VerifiedRoots? verified = null)
    {
        var body = bodyBytes.Span;
        var signature = signatureBytes.Span;
        if (body.Length > EnvelopeLimits.MaxBodyBytes)
        {
            return EnvelopeCheck.Fail("envelope too large");
        }
        if (!EnvelopeSignature.Verify(expectedSender, body, signature, verified))
        {
            return EnvelopeCheck.Fail("bad signature");
        }
        EnvelopeBody parsed;
        try
        {
            parsed = EnvelopeBody.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException)
        {
            return EnvelopeCheck.Fail("malformed body");
        }
        if (!expectedSender.Is(parsed.Sender.Span))
        {
            return EnvelopeCheck.Fail("sender does not match the link");
        }
        if (!expectedRecipient.Is(parsed.Recipient.Span))
        {
            return EnvelopeCheck.Fail("recipient is not this node");
        }
        if (parsed.Id.Length != 16 || parsed.Seq == 0 || parsed.Seq > long.MaxValue)
        {
            return EnvelopeCheck.Fail("bad id or sequence");
        }
        if (Transcript.ChainEntry.ChainLinkShape((long)parsed.Seq, parsed.PrevHash.Length) is not null)
        {
            return EnvelopeCheck.Fail("malformed chain link");
        }
        if (!Enum.IsDefined((Messages.Precedence)parsed.Precedence) || parsed.Kind == EnvelopeKind.Unspecified || !Enum.IsDefined(parsed.Kind))
        {
            return EnvelopeCheck.Fail("unknown precedence or kind");
        }
        if (EnvelopeLimits.TextBytes(parsed.Text) > EnvelopeLimits.MaxTextBytes)
        {
            return EnvelopeCheck.Fail("text too long");
        }
        if (parsed.Kind == EnvelopeKind.Message && !Channels.IsValidName(parsed.Channel))
        {
            return EnvelopeCheck.Fail("bad channel name");
        }
        if (parsed.Kind is EnvelopeKind.Seen or EnvelopeKind.Acknowledgement or EnvelopeKind.Translation or EnvelopeKind.Certification
            && parsed.Reference.Length != 16)
        {
            return EnvelopeCheck.Fail($"{parsed.Kind.ToString().ToLowerInvariant()} without a reference");
        }
        if (parsed.Language.Length > 0 && !LanguageTags.IsValid(parsed.Language))
        {
            return EnvelopeCheck.Fail("language is not a BCP 47 tag");
        }
        if (parsed.Kind == EnvelopeKind.Translation && (parsed.Text.Length == 0 || parsed.Language.Length == 0 || parsed.Actor.Length == 0))
        {
            return EnvelopeCheck.Fail("translation without its text, language or translator");
        }
        if (parsed.Kind == EnvelopeKind.Certification && parsed.Actor.Length == 0)
        {
            return EnvelopeCheck.Fail("certification without its certifier");
        }
        if (parsed.Template is { } t && (parsed.Kind != EnvelopeKind.Message || parsed.Text.Length > 0 || t.Id.Length == 0))
        {
            return EnvelopeCheck.Fail("malformed catalog message");
        }
        if (parsed.Kind == EnvelopeKind.Test && parsed.AnswerWithinSeconds == 0)
        {
            return EnvelopeCheck.Fail("line test without an answer window");
        }
        return EnvelopeCheck.Ok(Decode(parsed, Own(bodyBytes), Own(signatureBytes)));
    }

    /// <summary>
    /// The bytes as an array of their own: the array under them when they are all of it (a field
    /// parsed from a frame, which nothing else holds or changes), else a copy.
    /// </summary>
    private static byte[] Own(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var whole) && whole.Offset == 0 && whole.Count == whole.Array!.Length
            ? whole.Array
            : bytes.ToArray();

    /// <summary>Decodes stored bytes that were verified when they were committed.</summary>
    public static Envelope DecodeTrusted(byte[] body, byte[] signature) =>
        Decode(EnvelopeBody.Parser.ParseFrom(body), body, signature);

    /// <summary>The same, from a body already parsed and hashed (SHA-256 of <paramref name="body"/>) while it was checked.</summary>
    public static Envelope DecodeTrusted(EnvelopeBody parsed, byte[] body, byte[] signature, byte[] hash) =>
        Decode(parsed, body, signature, hash);

    private static Envelope Decode(EnvelopeBody b, byte[] bytes, byte[] signature, byte[]? hash = null) => new()
    {
        Id = Uuid7.FromBytes(b.Id.Span),
        Sender = b.Sender.ToByteArray(),
        Recipient = b.Recipient.ToByteArray(),
        Seq = (long)b.Seq,
        Created = DateTimeOffset.FromUnixTimeMilliseconds(b.CreatedUnixMs),
        Kind = b.Kind,
        Channel = b.Channel,
        Precedence = (Messages.Precedence)b.Precedence,
        Text = b.Text,
        PrevHash = b.PrevHash.ToByteArray(),
        Reference = b.Reference.Length == 16 ? Uuid7.FromBytes(b.Reference.Span) : null,
        Language = b.Language.Length > 0 ? b.Language : null,
        Label = b.Label is { } l ? new Label { Policy = l.Policy, Classification = l.Classification, ReleasableTo = [.. l.ReleasableTo] } : null,
        Actor = b.Actor.Length > 0 ? b.Actor : null,
        AnswerWithinSeconds = b.AnswerWithinSeconds,
        Template = b.Template is { } t ? new TemplateRef(t.Id, t.CatalogVersion, [.. t.Values.Select(v => KeyValuePair.Create(v.Name, v.Value))]) : null,
        Body = bytes,
        Signature = signature,
        Hash = hash ?? Sha256.Hash(bytes),
    };
}

public readonly record struct EnvelopeCheck(Envelope? Envelope, string? Error)
{
    public static EnvelopeCheck Ok(Envelope e) => new(e, null);
    public static EnvelopeCheck Fail(string error) => new(null, error);
}
