namespace Hotline.Storage;

/// <summary>A person who may sign in to the console. Roles are names (operator, watch-officer, auditor, administrator).</summary>
public sealed record UserRecord
{
    public required long Id { get; init; }
    public required string Name { get; init; }
    public required IReadOnlyList<string> Roles { get; init; }
    public required string PasswordHash { get; init; }
    /// <summary>Base32 TOTP secret; null when the user has no second factor.</summary>
    public string? TotpSecret { get; init; }
    /// <summary>The last TOTP time step accepted, so a code is never accepted twice.</summary>
    public long TotpLastStep { get; init; }
    public required int FailedAttempts { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    public required bool Disabled { get; init; }
    /// <summary>Changes whenever the password, roles or status change: ends every session signed in before.</summary>
    public required string Stamp { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>The console language (ko, zh or en); null: the node's language.</summary>
    public string? Language { get; init; }
}

/// <summary>One line of the audit log: who did what, when.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string Detail);

/// <summary>A shift handover note: written by the outgoing watch, confirmed by the incoming one.</summary>
public sealed record HandoverNote
{
    public required long Id { get; init; }
    public required DateTimeOffset WrittenAt { get; init; }
    public required string WrittenBy { get; init; }
    public required string Text { get; init; }
    public DateTimeOffset? ConfirmedAt { get; init; }
    public string? ConfirmedBy { get; init; }
}
