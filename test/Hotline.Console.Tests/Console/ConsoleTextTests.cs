using System.Text.Json;
using System.Text.RegularExpressions;
using Hotline.Core.Catalog;
using Hotline.Node.ConsoleUi;
using Hotline.Node.Users;
using Xunit;

namespace Hotline.Console.Tests.Console;

/// <summary>The console's label files against each other and against the .razor files that use them.</summary>
public sealed partial class ConsoleTextTests
{
    private static readonly string ConsoleFolder = Path.Combine(RepositoryRoot(), "src", "Hotline.Node", "Console");

    [Fact]
    public void The_three_label_files_have_the_same_keys_and_the_same_format_arguments()
    {
        var files = CatalogLanguages.All.ToDictionary(l => l, Read);
        var english = files[CatalogLanguages.English];
        foreach (var (lang, labels) in files)
        {
            Assert.Equal(english.Keys.Order(StringComparer.Ordinal), labels.Keys.Order(StringComparer.Ordinal));
            foreach (var (key, text) in labels)
            {
                Assert.False(string.IsNullOrWhiteSpace(text), $"{lang}.json: {key} is empty");
                Assert.True(Arguments(english[key]).SetEquals(Arguments(text)), $"{lang}.json: {key} takes other format arguments than in English");
            }
        }
        Assert.Contains("native", files[CatalogLanguages.Korean]["_review"], StringComparison.Ordinal);
        Assert.Contains("native", files[CatalogLanguages.Chinese]["_review"], StringComparison.Ordinal);
        // The embedded copy is what the console reads.
        Assert.Equal(english.Count, ConsoleStrings.Default.For(CatalogLanguages.Korean).Count);
    }

    [Fact]
    public void Every_key_the_console_uses_exists_with_every_value_a_built_key_can_take()
    {
        var keys = Read(CatalogLanguages.English).Keys.ToHashSet();
        var missing = new List<string>();
        // The pages (T["…"]) and the session's refusals (Text["…"]).
        foreach (var file in Directory.GetFiles(ConsoleFolder, "*.razor").Concat(Directory.GetFiles(ConsoleFolder, "*.cs")))
        {
            foreach (Match m in KeyLiteral().Matches(File.ReadAllText(file)))
            {
                if (!keys.Contains(m.Groups[1].Value))
                {
                    missing.Add($"{Path.GetFileName(file)}: {m.Groups[1].Value}");
                }
            }
        }
        // Keys built from a value: precedence, states, roles, languages, catalog categories and parameter types.
        var built = new[] { "FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE" }.Select(p => "precedence." + p)
            .Concat(new[] { "committed", "delivered", "seen", "acknowledged", "rejected", "up", "down", "degraded", "unknown" }.Select(s => "state." + s))
            .Concat(new[] { "answered", "late", "missed", "pending" }.Select(s => "linetest." + s))
            .Concat(new[] { "fault", "choice", "ours" }.Select(s => "fault." + s))
            .Concat(new[] { "incoming", "notDelivered", "deadlineMissed" }.Select(s => "alarm.kind." + s))
            .Concat(Roles.All.Select(r => "role." + r))
            .Concat(CatalogLanguages.All.Select(l => "lang." + l))
            .Concat(MessageCatalog.Default.Messages.Select(m => "category." + m.Category).Distinct())
            .Concat(Enum.GetValues<ParameterType>().Select(t => "param." + t.ToWire()));
        missing.AddRange(built.Where(k => !keys.Contains(k)));
        Assert.Empty(missing);
    }

    [Fact]
    public void No_razor_file_shows_English_text_that_is_not_from_the_label_files()
    {
        var found = new List<string>();
        foreach (var file in Directory.GetFiles(ConsoleFolder, "*.razor"))
        {
            var markup = Markup(File.ReadAllText(file));
            foreach (Match m in TextBetweenTags().Matches(markup))
            {
                foreach (var line in m.Groups[1].Value.Split('\n').Select(l => l.Trim()))
                {
                    if (!IsCode(line) && Words().IsMatch(WithoutExpressions(line)))
                    {
                        found.Add($"{Path.GetFileName(file)}: {line}");
                    }
                }
            }
            foreach (Match m in VisibleAttribute().Matches(markup))
            {
                if (!m.Groups[2].Value.StartsWith('@') && Words().IsMatch(m.Groups[2].Value))
                {
                    found.Add($"{Path.GetFileName(file)}: {m.Groups[1].Value}=\"{m.Groups[2].Value}\"");
                }
            }
        }
        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    [Fact]
    public void Times_show_the_DTG_and_the_local_form_of_each_language()
    {
        var at = new DateTimeOffset(2026, 11, 28, 9, 30, 0, TimeSpan.Zero);
        var local = TimeZoneInfo.ConvertTime(at, TimeZoneInfo.Local);
        var strings = ConsoleStrings.Default;
        Assert.Equal($"{local.Year}년 {local.Month}월 {local.Day}일 {local:HH:mm}",
            local.ToString(strings.Get(CatalogLanguages.Korean, "time.local"), System.Globalization.CultureInfo.GetCultureInfo("ko-KR")));
        Assert.Equal($"{local.Year}年{local.Month}月{local.Day}日 {local:HH:mm}",
            local.ToString(strings.Get(CatalogLanguages.Chinese, "time.local"), System.Globalization.CultureInfo.GetCultureInfo("zh-CN")));
        Assert.StartsWith("280930Z NOV 26", Hotline.Core.Messages.Dtg.Format(at), StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Read(string lang) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(ConsoleFolder, "i18n", lang + ".json")))!;

    private static HashSet<string> Arguments(string text) => FormatArgument().Matches(text).Select(m => m.Groups[1].Value).ToHashSet();

    /// <summary>The markup of a component: no code block, no comment, no command lines in code elements, no inline code blocks.</summary>
    private static string Markup(string razor)
    {
        var code = razor.IndexOf("@code {", StringComparison.Ordinal);
        var markup = code < 0 ? razor : razor[..code];
        markup = Comment().Replace(markup, "");
        markup = CodeElement().Replace(markup, "<code></code>");
        // C# comparisons and lambdas inside expressions are not tags.
        markup = markup.Replace("=>", "", StringComparison.Ordinal).Replace(" > ", " ", StringComparison.Ordinal).Replace(" < ", " ", StringComparison.Ordinal)
            .Replace(">=", "", StringComparison.Ordinal).Replace("<=", "", StringComparison.Ordinal);
        return RemoveBalanced(markup, "@{", '{', '}');
    }

    private static bool IsCode(string line) =>
        line.Length == 0 || line[0] is '{' or '}' || line.StartsWith("@if", StringComparison.Ordinal) || line.StartsWith("@foreach", StringComparison.Ordinal)
        || line.StartsWith("else", StringComparison.Ordinal) || line.StartsWith("@switch", StringComparison.Ordinal) || line.StartsWith("case ", StringComparison.Ordinal)
        || line.StartsWith("default:", StringComparison.Ordinal) || line.StartsWith("break;", StringComparison.Ordinal) || line.StartsWith("var ", StringComparison.Ordinal)
        || line.StartsWith("@inject", StringComparison.Ordinal) || line.StartsWith("@using", StringComparison.Ordinal) || line.StartsWith("@page", StringComparison.Ordinal)
        || line.StartsWith("@attribute", StringComparison.Ordinal) || line.StartsWith("@inherits", StringComparison.Ordinal) || line.StartsWith("@layout", StringComparison.Ordinal)
        || line.StartsWith("@namespace", StringComparison.Ordinal);

    /// <summary>A line of markup without its Razor expressions (<c>@T["key", x]</c>, <c>@(...)</c>, <c>@a.b</c>) and the allowed names.</summary>
    private static string WithoutExpressions(string line)
    {
        line = RemoveBalanced(line, "@T[", '[', ']');
        line = RemoveBalanced(line, "@(", '(', ')');
        line = SimpleExpression().Replace(line, "");
        return line.Replace("Hotline", "", StringComparison.Ordinal).Replace("TOTP", "", StringComparison.Ordinal).Replace("OK", "", StringComparison.Ordinal);
    }

    private static string RemoveBalanced(string text, string start, char open, char close)
    {
        int at;
        while ((at = text.IndexOf(start, StringComparison.Ordinal)) >= 0)
        {
            var depth = 0;
            var end = at + start.Length - 1;
            for (; end < text.Length; end++)
            {
                depth += text[end] == open ? 1 : text[end] == close ? -1 : 0;
                if (depth == 0)
                {
                    break;
                }
            }
            text = text[..at] + text[Math.Min(end + 1, text.Length)..];
        }
        return text;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hotline.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Hotline.slnx not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("""\b(?:T|Text)\["([a-zA-Z][\w.\-]*)"[,\]]""")]
    private static partial Regex KeyLiteral();

    [GeneratedRegex(@"\{(\d+)(?:[:,][^}]*)?\}")]
    private static partial Regex FormatArgument();

    [GeneratedRegex(@">([^<>]*)<")]
    private static partial Regex TextBetweenTags();

    [GeneratedRegex("""\b(title|alt|placeholder|aria-label|Label|Empty)="([^"]*)"(?=[\s/>])""")]
    private static partial Regex VisibleAttribute();

    [GeneratedRegex(@"[A-Za-z]{2,}")]
    private static partial Regex Words();

    [GeneratedRegex(@"@\*.*?\*@", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"<code>.*?</code>", RegexOptions.Singleline)]
    private static partial Regex CodeElement();

    [GeneratedRegex(@"@[A-Za-z_][\w.]*(\([^)]*\))?(\[[^\]]*\])?")]
    private static partial Regex SimpleExpression();
}
