using System.Reflection;
using System.Security.Claims;
using System.Text;
using Hotline.Node.Users;
using Hotline.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hotline.Node.ConsoleUi;

/// <summary>The operator console: Blazor with interactive server rendering, served on the operator listener.</summary>
public static class ConsoleHosting
{
    public static IServiceCollection AddHotlineConsole(this IServiceCollection services, string dataFolder, string nodeId)
    {
        // Two nodes on one machine share the browser's cookies for 127.0.0.1 (cookies ignore the port): name them per node.
        var suffix = nodeId.Length > 12 ? nodeId[..12] : nodeId;
        var keys = Directory.CreateDirectory(Path.Combine(dataFolder, "console-keys"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keys.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        // The cookie keys sit in the owner-only data folder beside the identity key; no XML encryptor to warn about.
        services.Configure<LoggerFilterOptions>(o => o.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error));
        services.AddDataProtection().PersistKeysToFileSystem(keys).SetApplicationName($"hotline-{nodeId}");
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = $"hotline.{suffix}";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/signin";
            o.AccessDeniedPath = "/";
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = async ctx =>
            {
                var users = ctx.HttpContext.RequestServices.GetRequiredService<UserService>();
                if (ConsoleSession.FromPrincipal(users, ctx.Principal!) is null)
                {
                    ctx.RejectPrincipal();
                    await ctx.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                }
            };
        });
        services.AddAuthorization();
        services.AddSingleton<IAuthorizationPolicyProvider, PerRequestPolicyProvider>();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = $"hotline.af.{suffix}";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddCascadingAuthenticationState();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddSingleton<UserService>();
        services.AddScoped<ConsoleSession>();
        services.AddScoped<ConsoleText>();
        services.AddScoped<ConsoleLineTests>();
        services.AddScoped<ConsoleRecords>();
        services.AddScoped<ConsolePeers>();
        services.AddSingleton<ConsoleBus>();
        // Data protection reads (or makes) its key ring in a hosted service as the node starts: 50 to
        // 80 ms of a cold start, on the way to the link's first session. The console is the only
        // user of the keys, so the ring is read when an operator first opens it. (Removed last:
        // antiforgery and the components add data protection again.)
        if (services.FirstOrDefault(d => d.ServiceType == typeof(IHostedService)
                && d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService") is { } warm)
        {
            services.Remove(warm);
        }
        return services;
    }

    public static WebApplication MapHotlineConsole(this WebApplication app)
    {
        app.Use((ctx, next) =>
        {
            if (!ctx.Request.Path.StartsWithSegments("/api"))
            {
                // Peer text is never markup, and even if some slipped through, no script but ours would run.
                var h = ctx.Response.Headers;
                h.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                    + "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";
                h.XContentTypeOptions = "nosniff";
                h.XFrameOptions = "DENY";
                h["Referrer-Policy"] = "no-referrer";
            }
            return next(ctx);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        MapAsset(app, "/_framework/blazor.web.js", "console/blazor.web.js", "text/javascript");
        MapAsset(app, "/console/console.js", "console/console.js", "text/javascript");
        MapAsset(app, "/console/console.css", "console/console.css", "text/css");
        // Form-bound endpoints (with their antiforgery check) are the two the request delegate
        // generator cannot compile ahead; they are built at start-up as before.
#pragma warning disable RDG003
        app.MapPost("/signin", SignInAsync);
#pragma warning restore RDG003
        app.MapPost("/signout", async (HttpContext http, UserService users) =>
        {
            if (ConsoleSession.FromPrincipal(users, http.User) is { } user)
            {
                await http.RequestServices.GetRequiredService<IUserStore>().AuditAsync(user.Name, "sign-out", "");
            }
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/signin");
        }).RequireAuthorization();
        app.MapGet("/console/audit.csv", AuditCsvAsync).RequireAuthorization();
#pragma warning disable RDG003
        app.MapPost("/console/evidence", EvidenceAsync).RequireAuthorization();
#pragma warning restore RDG003
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    private static async Task<IResult> SignInAsync(HttpContext http, [FromForm] SignInForm form, UserService users)
    {
        var from = http.Connection.RemoteIpAddress?.ToString() ?? "?";
        var result = await users.SignInAsync(form.Name ?? "", form.Password ?? "", form.Code, from, http.RequestAborted);
        if (result.User is not { } user)
        {
            var locked = result.Error!.Contains("locked", StringComparison.Ordinal);
            return Results.LocalRedirect(locked ? "/signin?locked=1" : "/signin?failed=1");
        }
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, user.Name),
            new(ConsoleSession.StampClaim, user.Stamp),
        };
        claims.AddRange(user.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
        var back = form.ReturnUrl is { Length: > 1 } r && r.StartsWith('/') && !r.StartsWith("//", StringComparison.Ordinal) && !r.StartsWith("/\\", StringComparison.Ordinal) ? r : "/";
        return Results.LocalRedirect(back);
    }

    /// <summary>The audit log as CSV, for the auditor's export.</summary>
    private static async Task<IResult> AuditCsvAsync(HttpContext http, UserService users, IUserStore store)
    {
        var user = ConsoleSession.FromPrincipal(users, http.User);
        if (user is null || !Roles.CanAudit(user.Roles))
        {
            await store.AuditAsync(user?.Name ?? "(signed out)", "denied", "audit.export");
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }
        await store.AuditAsync(user.Name, "audit.export", "csv");
        var csv = new StringBuilder("id,at,actor,action,detail\n");
        foreach (var e in store.ListAudit(100_000).Reverse())
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{e.Id},{e.At:O},{Csv(e.Actor)},{Csv(e.Action)},{Csv(e.Detail)}\n");
        }
        return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", "hotline-audit.csv");
    }

    /// <summary>The auditor's evidence bundle, as a download (a form post with an antiforgery token); a bad request goes back to the page with its error.</summary>
    private static async Task<IResult> EvidenceAsync(HttpContext http, [FromForm] EvidenceForm form, UserService users, ConsoleRecords records)
    {
        var user = ConsoleSession.FromPrincipal(users, http.User);
        var result = await records.ExportAsync(user, form.Peer ?? "", form.From, form.To, http.RequestAborted);
        if (result.Value is { } file)
        {
            return Results.File(file.Bytes, "application/json", file.FileName);
        }
        return user is null || !Roles.CanAudit(user.Roles)
            ? Results.StatusCode(StatusCodes.Status403Forbidden)
            : Results.LocalRedirect("/records?error=" + Uri.EscapeDataString(result.Error!));
    }

    // Quoted, and a leading formula character neutralised, so a spreadsheet never runs a cell.
    private static string Csv(string s) =>
        "\"" + (s.Length > 0 && "=+-@\t\r".Contains(s[0], StringComparison.Ordinal) ? "'" + s : s).Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static void MapAsset(WebApplication app, string path, string resource, string contentType)
    {
        var assembly = Assembly.GetExecutingAssembly();
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the console asset {resource} is not embedded in {assembly.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        app.MapGet(path, (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-cache";
            return Results.Bytes(bytes, contentType + "; charset=utf-8");
        });
    }
}

public sealed class EvidenceForm
{
    public string? Peer { get; set; }
    public string? From { get; set; }
    public string? To { get; set; }
}

public sealed class SignInForm
{
    public string? Name { get; set; }
    public string? Password { get; set; }
    public string? Code { get; set; }
    public string? ReturnUrl { get; set; }
}

/// <summary>
/// The default policies, combined on each request instead of cached: the cache is filled when the
/// authorization middleware is built, which builds every route of the console (Blazor's hub among
/// them) before the node listens. The console's few policies cost next to nothing to combine.
/// </summary>
internal sealed class PerRequestPolicyProvider(IOptions<AuthorizationOptions> options) : DefaultAuthorizationPolicyProvider(options)
{
    public override bool AllowsCachingPolicies => false;
}
