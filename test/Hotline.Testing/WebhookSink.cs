using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hotline.Testing;

/// <summary>
/// A real HTTP server on loopback port 0 that records webhook calls and, on purpose, fails the
/// first few from each node (told apart by the payload's "node").
/// </summary>
public sealed class WebhookSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly int _failFirst;
    private readonly ConcurrentDictionary<string, int> _seen = new();

    private WebhookSink(WebApplication app, int failFirst)
    {
        _app = app;
        _failFirst = failFirst;
    }

    public ConcurrentQueue<Call> Calls { get; } = new();
    public string Url { get; private set; } = "";

    public sealed record Call(string Body, IReadOnlyDictionary<string, string> Headers, int AnsweredWith);

    public static async Task<WebhookSink> StartAsync(int failFirst = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var sink = new WebhookSink(app, failFirst);
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            var node = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("node").GetString() ?? "";
            var status = sink._seen.AddOrUpdate(node, 1, (_, n) => n + 1) <= sink._failFirst ? 500 : 200;
            sink.Calls.Enqueue(new Call(body, http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        sink.Url = address.TrimEnd('/') + "/hook";
        return sink;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
