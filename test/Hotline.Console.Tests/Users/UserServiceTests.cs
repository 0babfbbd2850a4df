using Hotline.Core.Identity;
using Hotline.Node.Users;
using Hotline.Storage.Sqlite;
using Hotline.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Hotline.Console.Tests.Users;

public sealed class UserServiceTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new("users");
    private readonly NodeIdentity _identity = NodeIdentity.Create();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero));
    private SqliteStore _store = null!;
    private UserService _users = null!;

    public Task InitializeAsync()
    {
        _store = SqliteStore.Open(_temp.Combine("hotline.db"), _identity, _time);
        _users = new UserService(_store, _time);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _identity.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Passwords_are_stored_hashed_and_verify()
    {
        var added = await _users.AddAsync("kim", [Roles.Operator], "correct horse battery", "test");
        Assert.Null(added.Error);
        var stored = _store.FindUser("KIM")!;
        Assert.DoesNotContain("correct horse", stored.PasswordHash, StringComparison.Ordinal);
        Assert.StartsWith("AQAAAA", stored.PasswordHash, StringComparison.Ordinal); // Identity v3 format: PBKDF2 with salt
        Assert.NotNull((await _users.SignInAsync("kim", "correct horse battery", null, "test")).User);
        Assert.Null((await _users.SignInAsync("kim", "correct horse batterY", null, "test")).User);
        Assert.Null((await _users.SignInAsync("nobody", "correct horse battery", null, "test")).User);
    }

    [Fact]
    public async Task Short_passwords_and_duplicate_names_are_refused()
    {
        Assert.NotNull((await _users.AddAsync("kim", [Roles.Operator], "short", "test")).Error);
        Assert.Null((await _users.AddAsync("kim", [Roles.Operator], "long enough pw", "test")).Error);
        Assert.Contains("already exists", (await _users.AddAsync("Kim", [Roles.Auditor], "long enough pw", "test")).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_failures_lock_the_account_even_against_the_right_password_until_the_time_passes()
    {
        await _users.AddAsync("lee", [Roles.WatchOfficer], "the right password", "test");
        for (var i = 0; i < UserService.MaxFailures; i++)
        {
            Assert.Null((await _users.SignInAsync("lee", "a wrong password", null, "test")).User);
        }
        var refused = await _users.SignInAsync("lee", "the right password", null, "test");
        Assert.Null(refused.User);
        Assert.Contains("locked", refused.Error, StringComparison.Ordinal);

        _time.Advance(UserService.LockoutTime + TimeSpan.FromSeconds(1));
        Assert.NotNull((await _users.SignInAsync("lee", "the right password", null, "test")).User);
        Assert.Contains(_store.ListAudit(), e => e.Action == "sign-in.locked" && e.Actor == "lee");
    }

    [Fact]
    public async Task Reset_unlocks_and_ends_sessions()
    {
        var first = (await _users.AddAsync("lee", [Roles.Operator], "the right password", "test")).User!;
        for (var i = 0; i < UserService.MaxFailures; i++)
        {
            await _users.SignInAsync("lee", "wrong password!", null, "test");
        }
        await _users.ResetAsync("lee", "a new password", newTotp: false, "admin");
        Assert.Null(_users.Current(first.Id, first.Stamp)); // the old session's stamp no longer matches
        Assert.NotNull((await _users.SignInAsync("lee", "a new password", null, "test")).User);
    }

    [Fact]
    public async Task Administrators_get_TOTP_and_need_a_fresh_code()
    {
        var added = await _users.AddAsync("root", [Roles.Administrator], "admin password", "cli");
        Assert.NotNull(added.TotpSecret);
        Assert.Null((await _users.SignInAsync("root", "admin password", null, "test")).User);
        Assert.Null((await _users.SignInAsync("root", "admin password", "000000", "test")).User);

        var code = TotpCodes.Compute(added.TotpSecret!, _time.GetUtcNow());
        Assert.NotNull((await _users.SignInAsync("root", "admin password", code, "test")).User);
        // The same code again is a replay.
        Assert.Null((await _users.SignInAsync("root", "admin password", code, "test")).User);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.NotNull((await _users.SignInAsync("root", "admin password", TotpCodes.Compute(added.TotpSecret!, _time.GetUtcNow()), "test")).User);
    }

    [Fact]
    public async Task Operators_have_no_TOTP_unless_asked()
    {
        Assert.Null((await _users.AddAsync("op", [Roles.Operator], "operator password", "cli")).TotpSecret);
        Assert.NotNull((await _users.AddAsync("op2", [Roles.Operator], "operator password", "cli", withTotp: true)).TotpSecret);
    }

    [Fact]
    public async Task A_disabled_user_cannot_sign_in_and_loses_the_session()
    {
        var u = (await _users.AddAsync("kim", [Roles.Operator], "kims password", "test")).User!;
        Assert.NotNull(_users.Current(u.Id, u.Stamp));
        await _users.SetDisabledAsync("kim", true, "admin");
        Assert.Null(_users.Current(u.Id, u.Stamp));
        Assert.Null((await _users.SignInAsync("kim", "kims password", null, "test")).User);
    }

    [Fact]
    public void Roles_allow_what_the_issue_says()
    {
        string[] op = [Roles.Operator], watch = [Roles.WatchOfficer], audit = [Roles.Auditor], admin = [Roles.Administrator];
        Assert.True(Roles.CanAcknowledge(op, Core.Messages.Precedence.Priority));
        Assert.False(Roles.CanAcknowledge(op, Core.Messages.Precedence.Immediate));
        Assert.False(Roles.CanAcknowledge(op, Core.Messages.Precedence.Flash));
        Assert.True(Roles.CanAcknowledge(watch, Core.Messages.Precedence.Flash));
        Assert.True(Roles.CanRunLineTests(watch) && !Roles.CanRunLineTests(op));
        Assert.True(Roles.CanRead(audit) && !Roles.CanSend(audit) && Roles.CanAudit(audit));
        Assert.False(Roles.CanRead(admin));
        Assert.True(Roles.CanAdminister(admin) && Roles.NeedsTotp(admin));
        Assert.True(Roles.CanRead([Roles.Administrator, Roles.Auditor]));
        Assert.Equal([Roles.WatchOfficer, Roles.Administrator], Roles.Parse("watch-officer, admin"));
        Assert.Null(Roles.Parse("superuser"));
    }

    [Fact]
    public async Task A_user_language_is_stored_validated_audited_and_keeps_the_session()
    {
        var u = (await _users.AddAsync("kim", [Roles.Operator], "kims password", "test", language: "ko-KR")).User!;
        Assert.Equal("ko", _store.FindUser("kim")!.Language);
        Assert.Null((await _users.AddAsync("lee", [Roles.Operator], "lees password", "test")).User!.Language);

        var bad = await _users.SetLanguageAsync("kim", "fr", "kim");
        Assert.Contains("'fr' is not one of ko, zh, en", bad.Error, StringComparison.Ordinal);
        Assert.Equal("ko", _store.FindUser("kim")!.Language);
        Assert.Contains("is not one of", (await _users.AddAsync("park", [Roles.Operator], "parks password", "test", language: "zh-Hant")).Error, StringComparison.Ordinal);
        Assert.Null(_store.FindUser("park"));

        Assert.Null((await _users.SetLanguageAsync("kim", "zh", "kim")).Error);
        Assert.Equal("zh", _store.FindUser("kim")!.Language);
        Assert.NotNull(_users.Current(u.Id, u.Stamp));
        Assert.Contains(_store.ListAudit(), e => e.Action == "user.language" && e.Detail == "kim zh");
    }

    [Fact]
    public async Task A_database_made_before_languages_gets_the_column_and_keeps_its_users()
    {
        var path = _temp.Combine("old.db");
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=false"))
        {
            db.Open();
            using var create = db.CreateCommand();
            create.CommandText = """
                CREATE TABLE users(user_id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE COLLATE NOCASE, roles TEXT NOT NULL,
                    password_hash TEXT NOT NULL, totp_secret TEXT, totp_last_step INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,
                    locked_until_ms INTEGER, disabled INTEGER NOT NULL DEFAULT 0, stamp TEXT NOT NULL, created_ms INTEGER NOT NULL);
                INSERT INTO users(name, roles, password_hash, stamp, created_ms) VALUES('old', 'operator', 'x', 's', 0);
                PRAGMA user_version=1;
                """;
            create.ExecuteNonQuery();
        }
        for (var i = 0; i < 2; i++)
        {
            await using var store = SqliteStore.Open(path, _identity, _time);
            var users = new UserService(store, _time);
            // Schema version 1 gets the column; the second opening (version 2) keeps it and the language.
            Assert.Equal(i == 0 ? null : "zh", store.FindUser("old")!.Language);
            Assert.Null((await users.SetLanguageAsync("old", "zh", "test")).Error);
        }
    }
}
