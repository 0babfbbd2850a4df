using Hotline.Node.Users;
using Hotline.Testing;
using Microsoft.Playwright;

namespace Hotline.Console.Tests.Browser;

/// <summary>One person at one node's console, in a browser context of their own.</summary>
public sealed class ConsolePage : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    private ConsolePage(IBrowserContext context, IPage page, Uri root)
    {
        _context = context;
        Page = page;
        Root = root;
        page.Dialog += (_, d) =>
        {
            Dialogs.Add(d.Message);
            _ = d.DismissAsync();
        };
    }

    public IPage Page { get; }
    public Uri Root { get; }
    /// <summary>Every alert/confirm the page opened: peer text that ran as script would land here.</summary>
    public List<string> Dialogs { get; } = [];

    /// <summary>
    /// Adds a user to the node and signs them in at 1280x800. The console speaks <paramref name="language"/>
    /// to them (English unless a test is about languages; null: the node's language).
    /// </summary>
    public static async Task<ConsolePage> SignInAsync(BrowserFixture browser, InProcessNode node, string name, string role, string password = "a long password", string? language = "en")
    {
        var added = await node.Service<UserService>().AddAsync(name, [role], password, "test", language: language);
        var console = await OpenAsync(browser, node);
        await console.SignInAgainAsync(name, password, added.TotpSecret);
        return console;
    }

    /// <summary>A fresh browser context on the node's console, not signed in.</summary>
    public static async Task<ConsolePage> OpenAsync(BrowserFixture browser, InProcessNode node)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        return new ConsolePage(context, await context.NewPageAsync(), node.Host.ApiUrl);
    }

    /// <summary>Opens the console and goes through the sign-in form (by its fields' ids: its labels are in the browser's language).</summary>
    public async Task SignInAgainAsync(string name, string password = "a long password", string? totpSecret = null)
    {
        await Page.GotoAsync(new Uri(Root, "/").ToString());
        // Not signed in: the console sends us to the sign-in form.
        await Page.WaitForURLAsync("**/signin**");
        await Page.Locator("#name").FillAsync(name);
        await Page.Locator("#password").FillAsync(password);
        if (totpSecret is not null)
        {
            await Page.Locator("#code").FillAsync(TotpCodes.Compute(totpSecret, DateTimeOffset.UtcNow));
        }
        await Page.GetByTestId("sign-in").ClickAsync();
        await WaitInteractiveAsync();
    }

    public async Task GoAsync(string path)
    {
        await Page.GotoAsync(new Uri(Root, path).ToString());
        await WaitInteractiveAsync();
    }

    /// <summary>Waits until the circuit is up: clicks before it would be lost.</summary>
    public Task WaitInteractiveAsync() =>
        Page.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 30_000 });

    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
