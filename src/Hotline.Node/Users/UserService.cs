using System.Security.Cryptography;
using Hotline.Core.Catalog;
using Hotline.Storage;
using Microsoft.AspNetCore.Identity;

namespace Hotline.Node.Users;

/// <summary>
/// Console accounts: passwords hashed with ASP.NET Core Identity's hasher, TOTP for those who need
/// it, lockout after repeated failures. Every change and every sign-in lands in the audit log.
/// </summary>
public sealed class UserService(IUserStore store, TimeProvider time)
{
    public const int MaxFailures = 5;
    public const int MinPasswordLength = 10;
    public static readonly TimeSpan LockoutTime = TimeSpan.FromMinutes(15);
    private static readonly PasswordHasher<UserRecord> Hasher = new();
    // Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
    private static readonly string DummyHash = Hasher.HashPassword(null!, "not a password of anyone");

    /// <param name="language">The console language (ko, zh or en); null: the node's.</param>
    public async Task<UserResult> AddAsync(string name, IReadOnlyList<string> roles, string password, string actor, bool withTotp = false, string? language = null, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 64 || name.Any(char.IsControl))
        {
            return UserResult.Fail("a user name is 1 to 64 printable characters");
        }
        if ((CheckPassword(password) ?? (language is null ? null : CheckLanguage(language))) is { } bad)
        {
            return UserResult.Fail(bad);
        }
        var secret = withTotp || Roles.NeedsTotp(roles) ? TotpCodes.NewSecret() : null;
        var added = await store.AddUserAsync(new UserRecord
        {
            Id = 0,
            Name = name,
            Roles = roles,
            PasswordHash = Hasher.HashPassword(null!, password),
            TotpSecret = secret,
            FailedAttempts = 0,
            Disabled = false,
            Stamp = NewStamp(),
            CreatedAt = time.GetUtcNow(),
            Language = language is null ? null : CatalogLanguages.Normalize(language),
        }, ct);
        if (added is null)
        {
            return UserResult.Fail($"a user named '{name}' already exists");
        }
        await store.AuditAsync(actor, "user.add", $"{name} roles {string.Join(",", roles)}{(secret is null ? "" : " with TOTP")}{(language is null ? "" : $" language {language}")}", ct);
        return new UserResult(added, null, secret);
    }

    /// <summary>Sets a new password (and, if asked or needed, a new TOTP secret), unlocks, and ends the user's sessions.</summary>
    public async Task<UserResult> ResetAsync(string name, string password, bool newTotp, string actor, CancellationToken ct = default)
    {
        if (store.FindUser(name) is not { } user)
        {
            return UserResult.Fail($"no user named '{name}'");
        }
        if (CheckPassword(password) is { } weak)
        {
            return UserResult.Fail(weak);
        }
        var secret = newTotp || (user.TotpSecret is null && Roles.NeedsTotp(user.Roles)) ? TotpCodes.NewSecret() : null;
        user = user with
        {
            PasswordHash = Hasher.HashPassword(user, password),
            TotpSecret = secret ?? user.TotpSecret,
            TotpLastStep = secret is null ? user.TotpLastStep : 0,
            FailedAttempts = 0,
            LockedUntil = null,
            Stamp = NewStamp(),
        };
        await store.UpdateUserAsync(user, ct);
        await store.AuditAsync(actor, "user.reset", $"{user.Name}{(secret is null ? "" : " with a new TOTP secret")}", ct);
        return new UserResult(user, null, secret);
    }

    public async Task<UserResult> SetDisabledAsync(string name, bool disabled, string actor, CancellationToken ct = default)
    {
        if (store.FindUser(name) is not { } user)
        {
            return UserResult.Fail($"no user named '{name}'");
        }
        user = user with { Disabled = disabled, Stamp = NewStamp() };
        await store.UpdateUserAsync(user, ct);
        await store.AuditAsync(actor, disabled ? "user.disable" : "user.enable", user.Name, ct);
        return new UserResult(user, null, null);
    }

    /// <summary>Sets the language the user's console speaks; their sessions go on (nothing about their rights changed).</summary>
    public async Task<UserResult> SetLanguageAsync(string name, string language, string actor, CancellationToken ct = default)
    {
        if (store.FindUser(name) is not { } user)
        {
            return UserResult.Fail($"no user named '{name}'");
        }
        if (CheckLanguage(language) is { } bad)
        {
            return UserResult.Fail(bad);
        }
        user = user with { Language = CatalogLanguages.Normalize(language) };
        await store.UpdateUserAsync(user, ct);
        await store.AuditAsync(actor, "user.language", $"{user.Name} {user.Language}", ct);
        return new UserResult(user, null, null);
    }

    public static string? CheckLanguage(string language) =>
        CatalogLanguages.Normalize(language) is null ? $"language '{language}' is not one of {string.Join(", ", CatalogLanguages.All)}" : null;

    /// <summary>Changes roles; a user who now needs a second factor and has none gets a TOTP secret.</summary>
    public async Task<UserResult> SetRolesAsync(string name, IReadOnlyList<string> roles, string actor, CancellationToken ct = default)
    {
        if (store.FindUser(name) is not { } user)
        {
            return UserResult.Fail($"no user named '{name}'");
        }
        var secret = user.TotpSecret is null && Roles.NeedsTotp(roles) ? TotpCodes.NewSecret() : null;
        user = user with { Roles = roles, TotpSecret = secret ?? user.TotpSecret, Stamp = NewStamp() };
        await store.UpdateUserAsync(user, ct);
        await store.AuditAsync(actor, "user.roles", $"{user.Name} roles {string.Join(",", roles)}", ct);
        return new UserResult(user, null, secret);
    }

    /// <summary>Checks a sign-in. The error never tells which of name, password or code was wrong.</summary>
    public async Task<UserResult> SignInAsync(string name, string password, string? code, string from, CancellationToken ct = default)
    {
        const string Wrong = "wrong name, password or code";
        var now = time.GetUtcNow();
        var user = store.FindUser(name.Trim());
        if (user is null)
        {
            Hasher.VerifyHashedPassword(null!, DummyHash, password);
            await store.AuditAsync(Clip(name), "sign-in.failed", $"unknown user, from {from}", ct);
            return UserResult.Fail(Wrong);
        }
        if (user.LockedUntil is { } until && until > now)
        {
            await store.AuditAsync(user.Name, "sign-in.refused", $"locked until {until:yyyy-MM-dd HH:mm:ss}Z, from {from}", ct);
            return UserResult.Fail($"this account is locked after {MaxFailures} failed sign-ins; try again after {until:HH:mm}Z or ask an administrator to reset it");
        }
        var check = Hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        long? step = user.TotpSecret is null ? 0 : TotpCodes.Verify(user.TotpSecret, code, now);
        var totpOk = step is not null && (user.TotpSecret is null || step > user.TotpLastStep);
        if (check == PasswordVerificationResult.Failed || !totpOk || user.Disabled)
        {
            var failed = user.FailedAttempts + 1;
            var locked = failed >= MaxFailures;
            await store.UpdateUserAsync(user with { FailedAttempts = locked ? 0 : failed, LockedUntil = locked ? now + LockoutTime : user.LockedUntil }, ct);
            var why = user.Disabled ? "account disabled" : check == PasswordVerificationResult.Failed ? "wrong password" : "wrong or reused code";
            await store.AuditAsync(user.Name, locked ? "sign-in.locked" : "sign-in.failed", $"{why}, from {from}", ct);
            return UserResult.Fail(locked ? $"this account is now locked for {LockoutTime.TotalMinutes:0} minutes after {MaxFailures} failed sign-ins" : Wrong);
        }
        user = user with
        {
            FailedAttempts = 0,
            LockedUntil = null,
            TotpLastStep = user.TotpSecret is null ? user.TotpLastStep : step!.Value,
            PasswordHash = check == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(user, password) : user.PasswordHash,
        };
        await store.UpdateUserAsync(user, ct);
        await store.AuditAsync(user.Name, "sign-in", $"from {from}", ct);
        return new UserResult(user, null, null);
    }

    /// <summary>The user behind a session, if the session is still valid (not disabled, nothing changed since sign-in).</summary>
    public UserRecord? Current(long id, string stamp) =>
        store.FindUser(id) is { Disabled: false } u && CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(u.Stamp), System.Text.Encoding.UTF8.GetBytes(stamp)) ? u : null;

    public static string? CheckPassword(string password) =>
        password.Length < MinPasswordLength ? $"a password has at least {MinPasswordLength} characters" : null;

    private static string NewStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static string Clip(string s) => s.Length > 64 ? s[..64] : s;
}

/// <summary>The outcome of an account operation: the user, or an error; and a new TOTP secret to hand over once.</summary>
public sealed record UserResult(UserRecord? User, string? Error, string? TotpSecret)
{
    public static UserResult Fail(string error) => new(null, error, null);
}
