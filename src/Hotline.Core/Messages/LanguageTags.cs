using System.Text.RegularExpressions;

namespace Hotline.Core.Messages;

/// <summary>BCP 47 language tags as carried by free text and translations (shape only: "ko", "zh-Hans-CN", "en-GB").</summary>
public static partial class LanguageTags
{
    public const int MaxLength = 35;

    public static bool IsValid(string? tag) => tag is { Length: > 0 and <= MaxLength } && Shape().IsMatch(tag);

    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex Shape();
}
