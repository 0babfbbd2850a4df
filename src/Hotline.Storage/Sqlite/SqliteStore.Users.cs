using Microsoft.Data.Sqlite;

namespace Hotline.Storage.Sqlite;

public sealed partial class SqliteStore : IUserStore
{
    private const string UserColumns =
        "user_id, name, roles, password_hash, totp_secret, totp_last_step, failed, locked_until_ms, disabled, stamp, created_ms, language";

    public UserRecord? FindUser(string name) => ReadUsers("WHERE name = $n", ("$n", name)).FirstOrDefault();

    public UserRecord? FindUser(long id) => ReadUsers("WHERE user_id = $id", ("$id", id)).FirstOrDefault();

    public IReadOnlyList<UserRecord> ListUsers() => ReadUsers("ORDER BY name");

    public Task<UserRecord?> AddUserAsync(UserRecord user, CancellationToken ct = default) =>
        _queue.Enqueue(db =>
        {
            using var command = db.Command(
                $"""
                INSERT INTO users(name, roles, password_hash, totp_secret, totp_last_step, failed, locked_until_ms, disabled, stamp, created_ms, language)
                VALUES($n, $r, $h, $s, $ls, $f, $l, $d, $st, $c, $lang)
                ON CONFLICT(name) DO NOTHING
                RETURNING {UserColumns}
                """,
                [.. UserArgs(user), ("$n", user.Name), ("$c", user.CreatedAt.ToUnixTimeMilliseconds())]);
            return ReadUsers(command).FirstOrDefault();
        }, ct);

    public Task UpdateUserAsync(UserRecord user, CancellationToken ct = default) =>
        _queue.Enqueue(db => db.Execute(
            """
            UPDATE users SET roles = $r, password_hash = $h, totp_secret = $s, totp_last_step = $ls, failed = $f,
                locked_until_ms = $l, disabled = $d, stamp = $st, language = $lang WHERE user_id = $id
            """,
            [.. UserArgs(user), ("$id", user.Id)]), ct);

    private static (string, object?)[] UserArgs(UserRecord u) =>
    [
        ("$r", string.Join(',', u.Roles)), ("$h", u.PasswordHash), ("$s", u.TotpSecret), ("$ls", u.TotpLastStep),
        ("$f", u.FailedAttempts), ("$l", u.LockedUntil?.ToUnixTimeMilliseconds()), ("$d", u.Disabled ? 1 : 0), ("$st", u.Stamp), ("$lang", u.Language),
    ];

    private List<UserRecord> ReadUsers(string where, params (string, object?)[] args)
    {
        using var db = Open();
        using var command = db.Command($"SELECT {UserColumns} FROM users {where}", args);
        return ReadUsers(command);
    }

    private static List<UserRecord> ReadUsers(SqliteCommand command)
    {
        using var r = command.ExecuteReader();
        var list = new List<UserRecord>();
        while (r.Read())
        {
            list.Add(new UserRecord
            {
                Id = r.GetInt64(0),
                Name = r.GetString(1),
                Roles = r.GetString(2).Split(',', StringSplitOptions.RemoveEmptyEntries),
                PasswordHash = r.GetString(3),
                TotpSecret = r.IsDBNull(4) ? null : r.GetString(4),
                TotpLastStep = r.GetInt64(5),
                FailedAttempts = r.GetInt32(6),
                LockedUntil = r.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)),
                Disabled = r.GetInt64(8) != 0,
                Stamp = r.GetString(9),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(10)),
                Language = r.IsDBNull(11) ? null : r.GetString(11),
            });
        }
        return list;
    }

    public Task AuditAsync(string actor, string action, string detail, CancellationToken ct = default) =>
        _queue.Enqueue(db => db.Execute("INSERT INTO audit(at_ms, actor, action, detail) VALUES($t, $a, $ac, $d)",
            ("$t", Now().ToUnixTimeMilliseconds()), ("$a", actor), ("$ac", action), ("$d", detail)), ct);

    public IReadOnlyList<AuditEntry> ListAudit(int limit = 500)
    {
        using var db = Open();
        using var command = db.Command("SELECT audit_id, at_ms, actor, action, detail FROM audit ORDER BY audit_id DESC LIMIT $l", ("$l", limit));
        using var r = command.ExecuteReader();
        var list = new List<AuditEntry>();
        while (r.Read())
        {
            list.Add(new AuditEntry(r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetString(2), r.GetString(3), r.GetString(4)));
        }
        return list;
    }

    public Task<HandoverNote> AddHandoverAsync(string writtenBy, string text, CancellationToken ct = default) =>
        _queue.Enqueue(db =>
        {
            using var command = db.Command(
                $"INSERT INTO handovers(written_ms, written_by, note) VALUES($t, $b, $n) RETURNING {HandoverColumns}",
                ("$t", Now().ToUnixTimeMilliseconds()), ("$b", writtenBy), ("$n", text));
            return ReadHandovers(command).Single();
        }, ct);

    public Task<bool> ConfirmHandoverAsync(long id, string confirmedBy, CancellationToken ct = default) =>
        _queue.Enqueue(db => db.Execute(
            "UPDATE handovers SET confirmed_ms = $t, confirmed_by = $b WHERE handover_id = $id AND confirmed_ms IS NULL",
            ("$t", Now().ToUnixTimeMilliseconds()), ("$b", confirmedBy), ("$id", id)) == 1, ct);

    public IReadOnlyList<HandoverNote> ListHandovers(int limit = 50)
    {
        using var db = Open();
        using var command = db.Command($"SELECT {HandoverColumns} FROM handovers ORDER BY handover_id DESC LIMIT $l", ("$l", limit));
        return ReadHandovers(command);
    }

    private const string HandoverColumns = "handover_id, written_ms, written_by, note, confirmed_ms, confirmed_by";

    private static List<HandoverNote> ReadHandovers(SqliteCommand command)
    {
        using var r = command.ExecuteReader();
        var list = new List<HandoverNote>();
        while (r.Read())
        {
            list.Add(new HandoverNote
            {
                Id = r.GetInt64(0),
                WrittenAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
                WrittenBy = r.GetString(2),
                Text = r.GetString(3),
                ConfirmedAt = r.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
                ConfirmedBy = r.IsDBNull(5) ? null : r.GetString(5),
            });
        }
        return list;
    }
}
