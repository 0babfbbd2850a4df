using System.Globalization;
using Hotline.Core.Catalog;
using Hotline.Core.Messages;
using Hotline.Node.Link;
using Hotline.Node.Users;
using Hotline.Storage;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Net.Http.Headers;

namespace Hotline.Node.ConsoleUi;

/// <summary>
/// The labels, numbers and times of one circuit (or one sign-in page) in the reader's language:
/// the signed-in user's, else the node's. Pages use it as <c>@T["board.title"]</c>.
/// </summary>
public sealed class ConsoleText(AuthenticationStateProvider auth, UserService users, LinkPolicy policy)
{
    private string? _language;

    /// <summary>ko, zh or en. Read once per circuit: changing it reloads the page.</summary>
    public string Language => _language ??= Resolve();

    public CultureInfo Culture => CultureInfo.GetCultureInfo(Language switch
    {
        CatalogLanguages.Korean => "ko-KR",
        CatalogLanguages.Chinese => "zh-CN",
        _ => "en-GB",
    });

    public string this[string key] => ConsoleStrings.Default.Get(Language, key);

    public string this[string key, params object?[] args] => string.Format(Culture, this[key], args);

    /// <summary>A time as its DTG (UTC) and in the reader's form in this machine's time zone.</summary>
    public string When(DateTimeOffset at) =>
        $"{Dtg.Format(at)} · {TimeZoneInfo.ConvertTime(at, TimeZoneInfo.Local).ToString(this["time.local"], Culture)}";

    /// <summary>A duration, to the second under a minute and to the hour over a day.</summary>
    public string Span(TimeSpan t) =>
        t.TotalDays >= 1 ? this["span.dh", (int)t.TotalDays, t.Hours]
        : t.TotalHours >= 1 ? this["span.hm", (int)t.TotalHours, t.Minutes]
        : t.TotalMinutes >= 1 ? this["span.ms", t.Minutes, t.Seconds]
        : this["span.s", t.Seconds];

    public string Span(double? seconds) => seconds is { } s ? Span(TimeSpan.FromSeconds(Math.Round(s))) : "–";

    /// <summary>The name of a language tag in the reader's language (the tag itself when the console has no name for it).</summary>
    public string LanguageName(string? tag) =>
        CatalogLanguages.Normalize(tag) is { } lang ? this["lang." + lang] : string.IsNullOrEmpty(tag) ? "–" : tag;

    /// <summary>Before anyone signs in: the first of the browser's languages the console speaks.</summary>
    public void UseBrowserLanguage(string? acceptLanguage)
    {
        if (StringWithQualityHeaderValue.TryParseList(acceptLanguage?.Split(','), out var list)
            && list.OrderByDescending(l => l.Quality ?? 1).Select(l => CatalogLanguages.Normalize(l.Value.Value)).FirstOrDefault(l => l is not null) is { } lang)
        {
            _language = lang;
        }
    }

    private string Resolve()
    {
        UserRecord? user = null;
        try
        {
            var state = auth.GetAuthenticationStateAsync();
            user = state.IsCompletedSuccessfully ? ConsoleSession.FromPrincipal(users, state.Result.User) : null;
        }
        catch (InvalidOperationException)
        {
            // A plain request (a download) outside any component: no authentication state is set.
        }
        return user?.Language ?? policy.Language;
    }
}
