namespace Hotline.Node.Transcript;

/// <summary>Live event types and security event kinds of the transcript.</summary>
public static class TranscriptEvents
{
    public const string Checkpoint = "transcript.checkpoint";
    public const string Divergence = "transcript.divergence";

    /// <summary>Security event: the records of the two nodes part (a checkpoint that does not match, a broken chain link, a conflicting envelope).</summary>
    public const string DivergenceEvent = "transcript-divergence";
    public const string ChainMismatch = "chain-mismatch";
    public const string BadCheckpoint = "bad-checkpoint";
}
