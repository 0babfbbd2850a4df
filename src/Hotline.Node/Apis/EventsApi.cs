using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Hotline.Node.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hotline.Node.Apis;

public static class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this RouteGroupBuilder api)
    {
        // Server-Sent Events: one `event: <type>` with a JSON `data:` line per node event.
        api.MapGet("/events", StreamAsync);
        return api;
    }

    /// <param name="types">Comma-separated event types to stream (the others are never written); all when absent.</param>
    private static async Task StreamAsync(HttpContext http, EventHub hub, IOptions<JsonOptions> json, IHostApplicationLifetime lifetime, string? types)
    {
        HashSet<string>? only = null;
        if (!string.IsNullOrWhiteSpace(types))
        {
            only = [.. types.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            if (only.FirstOrDefault(t => !EventTypes.All.Contains(t)) is { } unknown)
            {
                await Problems.Of(400, $"unknown event type '{unknown}'", $"Ask for any of: {string.Join(", ", EventTypes.All.Order(StringComparer.Ordinal))}.").ExecuteAsync(http);
                return;
            }
        }
        using var subscription = hub.Subscribe(only);
        // Ends when the client goes, or when the node stops: a stream never holds a stop up.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = ending.Token;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var body = http.Response.BodyWriter;
        using var writer = new Utf8JsonWriter(body);
        var options = json.Value.SerializerOptions;
        Write(body, writer, new NodeEvent { Type = "hello", At = DateTimeOffset.UtcNow }, options);
        try
        {
            await body.FlushAsync(ct);
            var reader = subscription.Reader;
            while (await reader.WaitToReadAsync(ct))
            {
                // Every event already waiting goes out in one flush: under load, one write for many events.
                while (reader.TryRead(out var e))
                {
                    Write(body, writer, e, options);
                }
                await body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away, or the node is stopping.
        }
    }

    private static void Write(PipeWriter body, Utf8JsonWriter writer, NodeEvent e, JsonSerializerOptions options)
    {
        body.Write("event: "u8);
        var type = body.GetSpan(System.Text.Encoding.UTF8.GetMaxByteCount(e.Type.Length));
        body.Advance(System.Text.Encoding.UTF8.GetBytes(e.Type, type));
        body.Write("\ndata: "u8);
        writer.Reset(body);
        JsonSerializer.Serialize(writer, e, options);
        writer.Flush();
        body.Write("\n\n"u8);
    }
}
