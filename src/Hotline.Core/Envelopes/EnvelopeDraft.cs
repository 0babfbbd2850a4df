using Hotline.Core.Messages;
using Hotline.Protocol;

namespace Hotline.Core.Envelopes;

/// <summary>What a sender asks to send; the node fills in id, sequence, time and chain.</summary>
public sealed record EnvelopeDraft
{
    public required string Channel { get; init; }
    public required string Text { get; init; }
    public Precedence Precedence { get; init; } = Precedence.Routine;
    public EnvelopeKind Kind { get; init; } = EnvelopeKind.Message;
    public Guid? Reference { get; init; }
    public string? Language { get; init; }
    public Label? Label { get; init; }
    public string? Actor { get; init; }
    public uint AnswerWithinSeconds { get; init; }
    public TemplateRef? Template { get; init; }
}
