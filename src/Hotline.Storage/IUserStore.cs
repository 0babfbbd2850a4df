namespace Hotline.Storage;

/// <summary>Console users, the audit log and handover notes. Writes return after the commit.</summary>
public interface IUserStore
{
    UserRecord? FindUser(string name);

    UserRecord? FindUser(long id);

    IReadOnlyList<UserRecord> ListUsers();

    /// <summary>Adds a user; returns null when the name is taken.</summary>
    Task<UserRecord?> AddUserAsync(UserRecord user, CancellationToken ct = default);

    /// <summary>Replaces every field of an existing user but its id, name and creation time.</summary>
    Task UpdateUserAsync(UserRecord user, CancellationToken ct = default);

    Task AuditAsync(string actor, string action, string detail, CancellationToken ct = default);

    IReadOnlyList<AuditEntry> ListAudit(int limit = 500);

    Task<HandoverNote> AddHandoverAsync(string writtenBy, string text, CancellationToken ct = default);

    /// <summary>Confirms a note; false when it is unknown or already confirmed.</summary>
    Task<bool> ConfirmHandoverAsync(long id, string confirmedBy, CancellationToken ct = default);

    IReadOnlyList<HandoverNote> ListHandovers(int limit = 50);
}
