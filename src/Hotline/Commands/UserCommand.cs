using System.CommandLine;
using System.Security.Cryptography;
using Hotline.Node.Hosting;
using Hotline.Node.Users;
using Hotline.Storage.Sqlite;

namespace Hotline.Cli.Commands;

/// <summary>
/// Console accounts, worked on the data folder directly (SQLite in WAL mode lets this run beside a
/// live node): how the first administrator is made.
/// </summary>
internal static class UserCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The user's name (how they sign in)." };
        var roles = new Option<string>("--roles")
        {
            Description = "Comma-separated: operator, watch-officer, auditor, administrator.",
            Required = true,
        };
        var password = new Option<string?>("--password") { Description = "The password (visible to other local users in the process list: prefer --password-stdin)." };
        var stdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input." };
        var totp = new Option<bool>("--totp") { Description = "Give the user a TOTP second factor even if their roles do not need one." };
        var language = new Option<string?>("--language") { Description = "The console's language for this user: ko, zh or en (default: the node's language)." };

        var add = new Command("add", "Add a console user. Administrators always get a TOTP second factor.") { name, roles, password, stdin, totp, language };
        add.SetAction(async (r, ct) =>
        {
            var parsed = Roles.Parse(r.GetValue(roles)!) ?? throw new CliError($"--roles: use one or more of {string.Join(", ", Roles.All)}", 2);
            var (pw, generated) = Password(r, password, stdin);
            return await WithUsersAsync(r, async (users, folder) =>
            {
                var result = await users.AddAsync(r.GetValue(name)!, parsed, pw, Actor(), r.GetValue(totp), r.GetValue(language), ct);
                Report(result, folder, generated ? pw : null, $"added user '{r.GetValue(name)!.Trim()}' ({string.Join(", ", parsed)})");
            });
        });

        var newTotp = new Option<bool>("--new-totp") { Description = "Also issue a new TOTP secret (a lost authenticator)." };
        var reset = new Command("reset", "Set a new password, unlock the account and end its sessions.") { name, password, stdin, newTotp };
        reset.SetAction(async (r, ct) =>
        {
            var (pw, generated) = Password(r, password, stdin);
            return await WithUsersAsync(r, async (users, folder) =>
                Report(await users.ResetAsync(r.GetValue(name)!, pw, r.GetValue(newTotp), Actor(), ct), folder, generated ? pw : null, $"reset user '{r.GetValue(name)}'"));
        });

        var disable = new Command("disable", "Disable a user: their sessions end and they cannot sign in.") { name };
        disable.SetAction(async (r, ct) => await WithUsersAsync(r, async (users, folder) =>
            Report(await users.SetDisabledAsync(r.GetValue(name)!, true, Actor(), ct), folder, null, $"disabled user '{r.GetValue(name)}'")));

        var enable = new Command("enable", "Enable a disabled user again.") { name };
        enable.SetAction(async (r, ct) => await WithUsersAsync(r, async (users, folder) =>
            Report(await users.SetDisabledAsync(r.GetValue(name)!, false, Actor(), ct), folder, null, $"enabled user '{r.GetValue(name)}'")));

        var lang = new Argument<string>("LANGUAGE") { Description = "ko, zh or en." };
        var setLanguage = new Command("language", "Set the language of a user's console (their sessions go on).") { name, lang };
        setLanguage.SetAction(async (r, ct) => await WithUsersAsync(r, async (users, folder) =>
            Report(await users.SetLanguageAsync(r.GetValue(name)!, r.GetValue(lang)!, Actor(), ct), folder, null, $"user '{r.GetValue(name)}' now reads the console in {r.GetValue(lang)}")));

        var list = new Command("list", "List console users.");
        list.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            using var identity = folder.LoadIdentity();
            await using var store = SqliteStore.Open(folder.DatabaseFile, identity);
            foreach (var u in store.ListUsers())
            {
                var status = u.Disabled ? "disabled" : u.LockedUntil is { } l && l > DateTimeOffset.UtcNow ? $"locked until {l:HH:mm}Z" : "active";
                Console.WriteLine($"{u.Name,-24} {string.Join(",", u.Roles),-36} {(u.TotpSecret is null ? "password" : "password+totp"),-14} {u.Language ?? "(node's)",-9} {status}");
            }
            return 0;
        });

        return new Command("user", "Console users: add, reset, disable, enable, language, list. Works whether the node is running or not.")
        {
            add, reset, disable, enable, setLanguage, list,
        };
    }

    private static string Actor() => $"cli:{Environment.UserName}";

    private static (string Password, bool Generated) Password(ParseResult r, Option<string?> password, Option<bool> stdin)
    {
        if (r.GetValue(stdin))
        {
            var line = Console.In.ReadLine() ?? throw new CliError("--password-stdin: standard input is empty", 2);
            return (line.TrimEnd('\r', '\n'), false);
        }
        if (r.GetValue(password) is { } given)
        {
            return (given, false);
        }
        // No password given: make a strong one and print it once.
        return (Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', 'x').Replace('/', 'y'), true);
    }

    private static async Task<int> WithUsersAsync(ParseResult r, Func<UserService, DataFolder, Task> work)
    {
        var folder = CommonOptions.InitialisedFolder(r);
        using var identity = folder.LoadIdentity();
        await using var store = SqliteStore.Open(folder.DatabaseFile, identity);
        await work(new UserService(store, TimeProvider.System), folder);
        return 0;
    }

    private static void Report(UserResult result, DataFolder folder, string? generatedPassword, string done)
    {
        if (result.Error is not null)
        {
            throw new CliError(result.Error);
        }
        Console.WriteLine(done);
        if (generatedPassword is not null)
        {
            Console.WriteLine($"  password  {generatedPassword}   (shown once: hand it over, the user changes nothing here)");
        }
        if (result.TotpSecret is { } secret)
        {
            Console.WriteLine($"  TOTP secret {secret}");
            Console.WriteLine($"  otpauth URI {TotpCodes.Uri(secret, result.User!.Name, folder.LoadConfig().Name)}");
            Console.WriteLine("  Enter the secret (or a QR code of the URI) in an authenticator app; sign-in asks for its 6-digit code.");
        }
        var console = ConsoleAddress(folder);
        Console.WriteLine($"  console   {console}");
    }

    /// <summary>Where the console is: the running node's address, else the configured API listener.</summary>
    public static string ConsoleAddress(DataFolder folder)
    {
        try
        {
            if (File.Exists(folder.RuntimeFile) && System.Text.Json.JsonSerializer.Deserialize<RuntimeInfo>(File.ReadAllText(folder.RuntimeFile), NodeConfig.Json) is { } run)
            {
                return run.ApiUrl;
            }
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
        }
        return $"http://{folder.LoadConfig().Api.Listen}/";
    }
}
