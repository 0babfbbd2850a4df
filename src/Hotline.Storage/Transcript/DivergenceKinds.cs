namespace Hotline.Storage.Transcript;

public static class DivergenceKinds
{
    public const string ChainMismatch = "chain-mismatch";
    public const string ConflictingEnvelope = "conflicting-envelope";
    public const string Checkpoint = "checkpoint";

    /// <summary>How every rejection for a broken chain link begins (docs/protocol.md §6.3).</summary>
    public const string ChainMismatchReason = "chain link does not match";
}
