namespace Hotline.Node.Transcript;

/// <summary>When the nodes of a link co-sign a checkpoint of their transcript (<c>transcript</c> in hotline.json).</summary>
public sealed record TranscriptConfig
{
    /// <summary>Propose a checkpoint once this many entries (both directions) are not yet covered.</summary>
    public int CheckpointEveryEntries { get; set; } = 1000;

    /// <summary>Propose a checkpoint when entries have waited this long without one.</summary>
    public double CheckpointEveryMinutes { get; set; } = 10;

    /// <summary>How long a proposer waits for the peer's countersignature.</summary>
    public double ReplyTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// The least time between two automatic attempts on one link (doubling after each failure),
    /// except while many entries wait: then a round that agreed is followed at once (see <see cref="CheckpointService"/>).
    /// </summary>
    public double RetrySeconds { get; set; } = 30;
}
