using Hotline.Core.Messages;
using Hotline.Protocol;

namespace Hotline.Core.Envelopes;

/// <summary>
/// A verified, decoded envelope together with the exact signed bytes it came from. The bytes are
/// the record; the other properties are read from them and never re-encoded.
/// </summary>
public sealed record Envelope
{
    public required Guid Id { get; init; }
    public required byte[] Sender { get; init; }
    public required byte[] Recipient { get; init; }
    public required long Seq { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required EnvelopeKind Kind { get; init; }
    public required string Channel { get; init; }
    public required Precedence Precedence { get; init; }
    public required string Text { get; init; }
    public required byte[] PrevHash { get; init; }
    public Guid? Reference { get; init; }
    public string? Language { get; init; }
    public Label? Label { get; init; }
    /// <summary>Seen and acknowledgement envelopes: who saw or acknowledged.</summary>
    public string? Actor { get; init; }
    /// <summary>Line tests: the window, from <see cref="Created"/>, for a person to answer (0 otherwise).</summary>
    public uint AnswerWithinSeconds { get; init; }
    /// <summary>A standard catalog message (then <see cref="Text"/> is empty).</summary>
    public TemplateRef? Template { get; init; }

    /// <summary>The exact bytes of the <see cref="EnvelopeBody"/> that were signed.</summary>
    public required byte[] Body { get; init; }

    /// <summary>The sender's <see cref="EnvelopeSignature"/>; set once by the store that seals the envelope's batch.</summary>
    public byte[] Signature { get; internal set; } = [];

    /// <summary>SHA-256 of <see cref="Body"/>; the next envelope of the direction chains to it.</summary>
    public required byte[] Hash { get; init; }
}
