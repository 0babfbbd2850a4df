using Hotline.Core.Messages;

namespace Hotline.Node.Users;

/// <summary>The console's roles and what each may do. Every server-side handler asks here.</summary>
public static class Roles
{
    public const string Operator = "operator";
    public const string WatchOfficer = "watch-officer";
    public const string Auditor = "auditor";
    public const string Administrator = "administrator";

    public static readonly IReadOnlyList<string> All = [Operator, WatchOfficer, Auditor, Administrator];

    /// <summary>Parses a comma-separated list; null when a name is unknown or the list is empty.</summary>
    public static IReadOnlyList<string>? Parse(string text)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant() switch { "watch" or "watchofficer" or "watch_officer" => WatchOfficer, "admin" => Administrator, var x => x })
            .Distinct().ToArray();
        return names.Length > 0 && names.All(All.Contains) ? names : null;
    }

    public static bool Has(IReadOnlyList<string> roles, string role) => roles.Contains(role);

    public static bool CanSend(IReadOnlyList<string> roles) => Has(roles, Operator) || Has(roles, WatchOfficer);

    /// <summary>Message bodies: operators, watch officers and auditors. An administrator alone may not read them.</summary>
    public static bool CanRead(IReadOnlyList<string> roles) => CanSend(roles) || Has(roles, Auditor);

    /// <summary>Operators acknowledge ROUTINE and PRIORITY; FLASH and IMMEDIATE need a watch officer.</summary>
    public static bool CanAcknowledge(IReadOnlyList<string> roles, Precedence precedence) =>
        Has(roles, WatchOfficer) || (Has(roles, Operator) && precedence <= Precedence.Priority);

    public static bool CanRunLineTests(IReadOnlyList<string> roles) => Has(roles, WatchOfficer);

    /// <summary>Answering the peer's line test proves a person is on watch: operators and watch officers.</summary>
    public static bool CanAnswerLineTests(IReadOnlyList<string> roles) => CanSend(roles);

    /// <summary>Verifying the record and exporting evidence bundles (which carry message bodies): auditors only.</summary>
    public static bool CanAudit(IReadOnlyList<string> roles) => Has(roles, Auditor);

    public static bool CanAdminister(IReadOnlyList<string> roles) => Has(roles, Administrator);

    /// <summary>Shift handover is between watches: operators and watch officers.</summary>
    public static bool CanHandOver(IReadOnlyList<string> roles) => CanSend(roles);

    /// <summary>Administrators must have a second factor.</summary>
    public static bool NeedsTotp(IReadOnlyList<string> roles) => Has(roles, Administrator);
}
