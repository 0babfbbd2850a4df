using System.Text.RegularExpressions;

namespace Hotline.Core.Messages;

public static partial class Channels
{
    public static readonly IReadOnlyList<string> Defaults = ["ministerial", "navy", "air"];

    /// <summary>Channel names are short lowercase identifiers: letters, digits, '-' and '_'.</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}$")]
    private static partial Regex NamePattern();
}
