namespace Hotline.Core.Transcript.Evidence;

/// <summary>One message (or other entry) and what signed material says happened to it.</summary>
public sealed record MessageLine
{
    public required VerifiedEntry Entry { get; init; }
    public required string From { get; init; }
    public required string To { get; init; }
    public required string Kind { get; init; }
    /// <summary>The text as a reader sees it: free text, or a catalog message rendered in English with its id.</summary>
    public required string Text { get; init; }
    /// <summary>Translations of the message in the bundle, each with who made and who certified it.</summary>
    public IReadOnlyList<string> Translations { get; init; } = [];
    public string? Delivered { get; init; }
    public string? Seen { get; init; }
    public string? Acknowledged { get; init; }
    public string? Reply { get; init; }
    public required string Proof { get; init; }

    public string States => string.Join("; ", new[] { Delivered ?? "no receipt in the bundle", Seen, Acknowledged }.OfType<string>());
}
