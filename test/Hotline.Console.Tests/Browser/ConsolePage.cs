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

    /// <summary>Adds a user to the node and signs them in at 1280x800.</summary>
    public static async Task<ConsolePage> SignInAsync(BrowserFixture browser, InProcessNode node, string name, string role, string password = "a long password")
    {
        var added = await node.Service<UserService>().AddAsync(name, [role], password, "test");
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        var console = new ConsolePage(context, page, node.Host.ApiUrl);
        await page.GotoAsync(new Uri(node.Host.ApiUrl, "/").ToString());
        // Not signed in: the console sends us to the sign-in form.
        await page.WaitForURLAsync("**/signin**");
        await page.GetByLabel("User name").FillAsync(name);
        await page.GetByLabel("Password").FillAsync(password);
        if (added.TotpSecret is { } secret)
        {
            await page.GetByLabel("Authenticator code").FillAsync(TotpCodes.Compute(secret, DateTimeOffset.UtcNow));
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await console.WaitInteractiveAsync();
        return console;
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
