namespace Hotline.Core.Transcript.Evidence;

/// <summary>What was exported: <c>all</c>, a <c>window</c> of creation times, or <c>selected</c> ids.</summary>
public sealed record BundleScope
{
    public const string All = "all";
    public const string Window = "window";
    public const string Selected = "selected";

    public required string Kind { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public IReadOnlyList<Guid>? Ids { get; init; }
}
