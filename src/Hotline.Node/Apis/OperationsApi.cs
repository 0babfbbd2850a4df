using Hotline.Node.Link;
using Hotline.Node.Supervision;
using Hotline.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Hotline.Node.Apis;

/// <summary>
/// For the machines that watch the node, on the operator port without a token: liveness,
/// readiness and Prometheus metrics. None of them tells anything a message says.
/// </summary>
public static class OperationsApi
{
    /// <summary>The paths below: served by the operator listener's API pipeline, like <c>/api</c>.</summary>
    public static bool Serves(PathString path) => path == "/healthz" || path == "/readyz" || path == "/metrics";

    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        // Alive: the process serves requests.
        app.MapGet("/healthz", () => Results.Text("ok\n", "text/plain"));
        // Ready: started, not stopping, and the database answers. The state of the links is not the node's health.
        app.MapGet("/readyz", (IHostApplicationLifetime lifetime, ISupervisionStore store, LinkManager links) =>
        {
            var started = lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested;
            string database;
            try
            {
                database = store.Ping() ? "ok" : "failing";
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException or IOException)
            {
                database = $"failing: {e.Message}";
            }
            var ready = started && database == "ok";
            return Results.Json(new
            {
                ready,
                started,
                database,
                links = links.Links.Count,
                linksConnected = links.Links.Count(l => l.IsConnected),
            }, statusCode: ready ? 200 : 503);
        });
        app.MapGet("/metrics", (NodeMetrics metrics) => Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        return app;
    }
}
