using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Hotline.Core.Pairing;
using Hotline.Node.Alarms;
using Hotline.Node.Apis;
using Hotline.Node.ConsoleUi;
using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Node.Transcript;
using Hotline.Node.Supervision;
using Hotline.Storage;
using Hotline.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hotline.Node.Hosting;

/// <summary>A running node: the link listener, the operator API, and everything behind them.</summary>
public sealed class HotlineHost : IAsyncDisposable
{
    private const string ListenerItem = "hotline.listener";
    private readonly WebApplication _app;

    private HotlineHost(WebApplication app, DataFolder folder)
    {
        _app = app;
        Folder = folder;
    }

    public DataFolder Folder { get; }
    public IServiceProvider Services => _app.Services;
    public Uri ApiUrl { get; private set; } = null!;
    public Uri LinkUrl { get; private set; } = null!;

    public static async Task<HotlineHost> StartAsync(DataFolder folder, HostSettings? settings = null, CancellationToken ct = default)
    {
        settings ??= new HostSettings();
        var config = folder.LoadConfig();
        var identity = folder.LoadIdentity();
        var certificate = folder.LoadCertificate();
        WarmCertificateStore(certificate);
        var token = Encoding.UTF8.GetBytes(folder.LoadToken());
        var time = settings.Time ?? TimeProvider.System;

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "Hotline.Node",
            ContentRootPath = folder.Path,
            // The node reads no appsettings.json. Reloading it on change would watch the content root,
            // which is the data folder: every database write wakes a file watcher (≈14 % of CPU under load).
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; o.UseUtcTimestamp = true; });
        builder.Logging.SetMinimumLevel(settings.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Enabled at any level, this logger makes hosting open a log scope and an Activity for every
        // request (about 1 % of a busy node's CPU); it only logs requests starting and finishing,
        // which are below Warning anyway.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);

        var store = SqliteStore.Open(folder.DatabaseFile, identity, time);
        builder.Services.AddSingleton(folder);
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(identity);
        builder.Services.AddSingleton(certificate);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton<IHotlineStore>(store);
        builder.Services.AddSingleton<ISupervisionStore>(store);
        builder.Services.AddSingleton<IMessageHistory>(store);
        builder.Services.AddSingleton(new NodeInfo(config.Name, identity.PublicKey,
            Fingerprints.ForCard(identity.PublicKey, Pins.Sha256Hex(certificate)), time.GetUtcNow()));
        builder.Services.AddSingleton<EventHub>();
        builder.Services.AddSingleton<SecurityLog>();
        builder.Services.AddSingleton<PeerDirectory>();
        builder.Services.AddSingleton<LinkManager>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LinkManager>());
        builder.Services.AddSingleton<MessageService>();
        builder.Services.AddSingleton<MessageStreamStats>();
        builder.Services.AddSingleton<LinkPolicy>();
        builder.Services.AddSingleton<PendingService>();
        builder.Services.AddSingleton<HookDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HookDispatcher>());
        builder.Services.AddSingleton<AlarmService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AlarmService>());
        if (settings.TrimMemoryWhenIdle)
        {
            builder.Services.AddHostedService<IdleTrim>();
        }
        builder.Services.AddHotlineTranscript(store);
        builder.Services.AddHotlineSupervision();
        // Registered, the link's service is taken from the container; otherwise gRPC compiles a factory
        // for it (an expression tree, about 20 ms) on the first session, while the link waits.
        builder.Services.AddSingleton<LinkService>();
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = LinkManager.MaxFrameBytes;
            o.MaxSendMessageSize = LinkManager.MaxFrameBytes;
            o.EnableDetailedErrors = false;
        });
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Default);
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<IUserStore>(store);
        builder.Services.AddHotlineConsole(folder.Path, identity.PublicKey.Id);

        SecurityLog? security = null;
        PeerDirectory? directory = null;
        // Kestrel without HTTP/3: the full UseKestrel also sets up QUIC, which the node never uses.
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(ParseEndpoint(settings.LinkListen ?? config.Link.Listen), lo =>
            {
                lo.Protocols = HttpProtocols.Http2;
                lo.Use(next => ctx => { ctx.Items[ListenerItem] = "link"; return next(ctx); });
                lo.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    SslProtocols = SslProtocols.Tls13,
                    ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                    // No CA: a client is accepted only if its certificate is pinned for a known peer.
                    ClientCertificateValidation = (cert, _, _) =>
                    {
                        var pin = Pins.Sha256Hex(cert);
                        if (directory!.FindByTlsPin(pin) is not null)
                        {
                            return true;
                        }
                        security!.RecordThrottled(SecurityLog.UnknownCertificate, pin, $"refused link connection with unpinned certificate sha256 {pin} ({cert.Subject})");
                        return false;
                    },
                });
            });
            k.Listen(ParseEndpoint(settings.ApiListen ?? config.Api.Listen), lo =>
            {
                lo.Protocols = HttpProtocols.Http1;
                lo.Use(next => ctx => { ctx.Items[ListenerItem] = "api"; return next(ctx); });
            });
        });

        var app = builder.Build();
        security = app.Services.GetRequiredService<SecurityLog>();
        directory = app.Services.GetRequiredService<PeerDirectory>();
        var links = app.Services.GetRequiredService<LinkManager>();
        links.LoadOutboxes();

        // Errors without a body (malformed JSON, unknown path) still answer as problem details.
        app.UseStatusCodePages(async ctx =>
        {
            var http = ctx.HttpContext;
            if (http.Request.Path.StartsWithSegments("/api"))
            {
                await Problems.Of(http.Response.StatusCode, http.Response.StatusCode switch
                {
                    400 => "the request is malformed (for example, the body is not valid JSON)",
                    404 => $"no such endpoint: {http.Request.Method} {http.Request.Path}",
                    405 => $"method {http.Request.Method} is not allowed on {http.Request.Path}",
                    415 => "send the body as application/json",
                    _ => $"request failed with status {http.Response.StatusCode}",
                }, "See docs/operations.md for the operator API.").ExecuteAsync(http);
            }
        });

        // Each listener serves only its own surface, and each surface has a pipeline with routes of
        // its own. The link is ready as soon as the node listens; the operator API never builds the
        // console's routes (Blazor's hub alone is 50 to 150 ms and a few megabytes); the console's
        // are built when an operator first opens it.
        app.MapWhen(ctx => ctx.Features.Get<IConnectionItemsFeature>()?.Items[ListenerItem] as string == "link", link =>
        {
            link.UseRouting();
            link.UseEndpoints(e => e.MapGrpcService<LinkService>());
        });
        app.MapWhen(ctx => IsOperatorApi(ctx.Request.Path), operatorApi =>
        {
            operatorApi.UseWebSockets();
            operatorApi.UseRouting();
            operatorApi.UseEndpoints(e =>
            {
                e.MapOperationsApi();
                var api = e.MapGroup("/api");
                api.AddEndpointFilter((ctx, next) => Bearer(ctx.HttpContext.Request.Headers.Authorization.ToString(), token)
                    ? next(ctx)
                    : ValueTask.FromResult<object?>(Problems.Of(401, "missing or wrong API token",
                        "Send 'Authorization: Bearer <token>' with the token from api.token in the node's data folder.")));
                api.MapMessagesApi();
                api.MapMessageStreamApi();
                api.MapPeersApi();
                api.MapStatusApi();
                api.MapEventsApi();
                api.MapAlarmsApi();
                api.MapTranscriptApi();
                api.MapSupervisionApi();
            });
        });
        // The console: same listener as the API, its own sign-in (cookies), not the API token.
        app.UseRouting();
        app.MapHotlineConsole();

        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            // Stopped or failed while starting: close what is open (the database first of all).
            await app.DisposeAsync();
            await store.DisposeAsync();
            throw;
        }
        var host = new HotlineHost(app, folder);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        host.LinkUrl = new Uri(addresses.First(a => a.StartsWith("https", StringComparison.Ordinal)));
        host.ApiUrl = new Uri(addresses.First(a => a.StartsWith("http:", StringComparison.Ordinal)));
        // Written whole and renamed into place, so a reader never sees half a file.
        var temp = folder.RuntimeFile + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new RuntimeInfo(host.ApiUrl.ToString(), host.LinkUrl.ToString(), Environment.ProcessId), NodeConfig.Json));
        File.Move(temp, folder.RuntimeFile, overwrite: true);
        Log.NodeStarted(app.Services.GetRequiredService<ILogger<HotlineHost>>(), config.Name, identity.PublicKey.Id, host.LinkUrl.ToString(), host.ApiUrl.ToString());
        return host;
    }

    /// <summary>
    /// True when an Authorization header carries the API token as a bearer token, compared in
    /// constant time; checked on every API request, so without building strings or arrays.
    /// </summary>
    private static bool Bearer(string header, byte[] token)
    {
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return false;
        }
        var given = header.AsSpan(7).Trim();
        // UTF-8 takes at least a byte a character: a longer one is wrong, and not worth encoding.
        if (given.Length > token.Length)
        {
            return false;
        }
        var most = Encoding.UTF8.GetMaxByteCount(given.Length);
        Span<byte> bytes = most <= 1024 ? stackalloc byte[1024] : new byte[most];
        var length = Encoding.UTF8.GetBytes(given, bytes);
        return CryptographicOperations.FixedTimeEquals(bytes[..length], token);
    }

    private static bool IsOperatorApi(PathString path) =>
        path.StartsWithSegments("/api") || OperationsApi.Serves(path);

    /// <summary>
    /// Kestrel's certificate context and every TLS handshake build an X509 chain, and the first
    /// chain a process builds reads the system's whole CA store (a few hundred milliseconds). The
    /// link trusts pins, not CAs, but the chain is built all the same: read the store on another
    /// thread while the host is put together, so that it is not on the way to the first link.
    /// </summary>
    private static void WarmCertificateStore(X509Certificate2 certificate)
    {
        var copy = X509CertificateLoader.LoadCertificate(certificate.RawData);
        _ = Task.Run(() =>
        {
            using (copy)
            using (var chain = new X509Chain())
            {
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.Build(copy);
            }
        });
    }

    public Task WaitForShutdownAsync(CancellationToken ct) => _app.WaitForShutdownAsync(ct);

    public static IPEndPoint ParseEndpoint(string text)
    {
        if (IPEndPoint.TryParse(text, out var ep))
        {
            return ep;
        }
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase) && int.TryParse(text[10..], out var port))
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }
        throw new FormatException($"'{text}' is not an IP:port address (for example 127.0.0.1:7443).");
    }

    public async ValueTask DisposeAsync()
    {
        // Resolved first: the service provider is gone once the app is disposed.
        var store = _app.Services.GetRequiredService<IHotlineStore>();
        try
        {
            await _app.StopAsync(CancellationToken.None);
        }
        finally
        {
            await _app.DisposeAsync();
            await store.DisposeAsync();
            File.Delete(Folder.RuntimeFile);
        }
    }
}

/// <summary>Overrides for one run of a node (tests, the demo).</summary>
public sealed record HostSettings
{
    public string? LinkListen { get; init; }
    public string? ApiListen { get; init; }
    /// <summary>The clock of deadlines, alarms and stored times (a fake one in tests). Link heartbeats always use the system clock.</summary>
    public TimeProvider? Time { get; init; }
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
    /// <summary>
    /// Give memory back when the node goes quiet (<see cref="IdleTrim"/>): for a node that is a
    /// process of its own (<c>hotline serve</c>). Its full collections would pause every node and
    /// test sharing a process with it.
    /// </summary>
    public bool TrimMemoryWhenIdle { get; init; }
}

/// <summary>What a running node writes to <c>node.run.json</c> for the CLI to find it.</summary>
public sealed record RuntimeInfo(string ApiUrl, string LinkUrl, int Pid);
