namespace Hotline.Core.Catalog;

/// <summary>Values that do not fit a catalog message; <see cref="Errors"/> names each parameter and the fix.</summary>
public sealed class TemplateException(string messageId, IReadOnlyList<string> errors)
    : Exception($"{messageId}: {string.Join("; ", errors)}")
{
    public string MessageId { get; } = messageId;
    public IReadOnlyList<string> Errors { get; } = errors;
}
