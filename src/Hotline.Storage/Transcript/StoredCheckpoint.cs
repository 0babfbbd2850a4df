namespace Hotline.Storage.Transcript;

/// <summary>A checkpoint both nodes signed, as stored.</summary>
public sealed record StoredCheckpoint
{
    public required long Id { get; init; }
    public required string PeerId { get; init; }
    public required byte[] Body { get; init; }
    public required byte[] SignatureA { get; init; }
    public required byte[] SignatureB { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required DateTimeOffset StoredAt { get; init; }
}
