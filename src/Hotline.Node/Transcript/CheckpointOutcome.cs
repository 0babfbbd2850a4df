using Hotline.Core.Transcript;
using Hotline.Storage.Transcript;

namespace Hotline.Node.Transcript;

public enum CheckpointStatus
{
    /// <summary>Both nodes signed the same statement; it is stored.</summary>
    Agreed,
    /// <summary>The statements differ: a divergence was recorded.</summary>
    Diverged,
    /// <summary>No session with the peer.</summary>
    LinkDown,
    /// <summary>The peer did not answer in time.</summary>
    TimedOut,
    /// <summary>Something else went wrong (a bad countersignature, a local inconsistency).</summary>
    Failed,
}

/// <summary>The result of proposing a checkpoint.</summary>
public sealed record CheckpointOutcome(CheckpointStatus Status, string Detail, StoredCheckpoint? Checkpoint = null,
    CheckpointStatement? Statement = null, IReadOnlyList<Divergence>? Divergences = null);
