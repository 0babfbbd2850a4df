namespace Hotline.Core.Transcript.Evidence;

/// <summary>One message (or other entry) and what signed material says happened to it.</summary>
public sealed record MessageLine
{
    public required VerifiedEntry Entry { get; init; }
    public required string From { get; init; }
    public required string To { get; init; }
    public required string Kind { get; init; }
    public string? Delivered { get; init; }
    public string? Seen { get; init; }
    public string? Acknowledged { get; init; }
    public string? Reply { get; init; }
    public required string Proof { get; init; }

    public string States => string.Join("; ", new[] { Delivered ?? "no receipt in the bundle", Seen, Acknowledged }.OfType<string>());
}
