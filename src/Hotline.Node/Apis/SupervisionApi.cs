using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Node.Supervision;
using Hotline.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Hotline.Node.Apis;

/// <summary>Line tests, a link's endpoints and test schedule, its history, and the readiness report.</summary>
public static class SupervisionApi
{
    public static RouteGroupBuilder MapSupervisionApi(this RouteGroupBuilder api)
    {
        api.MapGet("/tests", ListTests);
        api.MapPost("/tests", async (StartTestRequest request, HttpContext http, LineTestService tests, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(request.Peer))
            {
                return Problems.Of(400, "peer is required", "Name the peer to test by its name or id.");
            }
            var actor = MessagesApi.Actor(http);
            return actor is null ? BadActor() : Answer(await tests.StartTestAsync(request.Peer, actor, ct));
        });
        api.MapPost("/tests/{id:guid}/answer", async (Guid id, HttpContext http, LineTestService tests, CancellationToken ct) =>
        {
            var actor = MessagesApi.Actor(http);
            return actor is null ? BadActor() : Answer(await tests.AnswerAsync(id, actor, ct));
        });
        api.MapPut("/peers/{peer}/endpoints", SetEndpointsAsync);
        api.MapGet("/peers/{peer}/line-tests", (string peer, PeerDirectory directory, LineTestService tests, TimeProvider time) =>
            directory.Resolve(peer) is { } p ? Results.Ok(Schedule(p, tests, time)) : UnknownPeer(peer));
        api.MapPut("/peers/{peer}/line-tests", SetLineTestsAsync);
        api.MapGet("/peers/{peer}/history", (string peer, string? since, PeerDirectory directory, ISupervisionStore store, TimeProvider time) =>
        {
            if (directory.Resolve(peer) is not { } p)
            {
                return UnknownPeer(peer);
            }
            var now = time.GetUtcNow();
            return ReportPeriod.TryParseSince(since ?? "1d", now, out var from)
                ? Results.Ok(store.ListLinkTransitions(p.Id, from, now))
                : BadSince(since!);
        });
        api.MapGet("/reports/readiness", (string? peer, string? since, string? format, PeerDirectory directory, ISupervisionStore store, TimeProvider time) =>
        {
            if (peer is null || directory.Resolve(peer) is not { } p)
            {
                return UnknownPeer(peer ?? "");
            }
            var now = time.GetUtcNow();
            if (!ReportPeriod.TryParseSince(since ?? "30d", now, out var from))
            {
                return BadSince(since!);
            }
            var report = ReadinessReport.Build(store, p, from, now);
            return format == "svg" ? Results.Text(ReadinessChart.Render(report), "image/svg+xml") : Results.Ok(report);
        });
        return api;
    }

    private static IResult ListTests(string? peer, string? since, PeerDirectory directory, LineTestService tests, TimeProvider time)
    {
        PeerRecord? p = null;
        if (peer is not null && (p = directory.Resolve(peer)) is null)
        {
            return UnknownPeer(peer);
        }
        return ReportPeriod.TryParseSince(since ?? "7d", time.GetUtcNow(), out var from) ? Results.Ok(tests.List(p, from)) : BadSince(since!);
    }

    private static async Task<IResult> SetEndpointsAsync(string peer, EndpointsRequest request, PeerDirectory directory, CancellationToken ct)
    {
        if (directory.Resolve(peer) is not { } p)
        {
            return UnknownPeer(peer);
        }
        var endpoints = request.Endpoints ?? [];
        if (PeerDirectory.CheckEndpoints(endpoints) is { } error)
        {
            return Problems.Of(400, error, "List the peer's link addresses in order of preference, each as https://HOST:PORT, e.g. https://203.0.113.5:7443.");
        }
        var updated = await directory.SetEndpointsAsync(p.Id, endpoints, ct);
        return Results.Ok(new { peer = updated!.Id, endpoints = updated.Endpoints });
    }

    private static async Task<IResult> SetLineTestsAsync(string peer, LineTestSettings request, PeerDirectory directory, LineTestService tests,
        TimeProvider time, CancellationToken ct)
    {
        if (directory.Resolve(peer) is not { } p)
        {
            return UnknownPeer(peer);
        }
        if (LineTestService.Validate(request) is { } error)
        {
            return Problems.Of(400, error, "See docs/operations.md, line tests.");
        }
        var merged = request with
        {
            Enabled = request.Enabled ?? p.Settings.LineTests?.Enabled,
            Schedule = request.Schedule ?? p.Settings.LineTests?.Schedule,
            TimeZone = request.TimeZone ?? p.Settings.LineTests?.TimeZone,
            AnswerWithinSeconds = request.AnswerWithinSeconds ?? p.Settings.LineTests?.AnswerWithinSeconds,
        };
        var updated = await directory.UpdateAsync(p.Id, r => r with { Settings = r.Settings with { LineTests = merged } }, ct);
        return Results.Ok(Schedule(updated!, tests, time));
    }

    private static object Schedule(PeerRecord p, LineTestService tests, TimeProvider time)
    {
        var s = tests.Settings(p);
        return new
        {
            peer = p.Id,
            enabled = s.Enabled,
            schedule = s.Schedule,
            timeZone = s.TimeZone,
            answerWithinSeconds = s.AnswerWithinSeconds,
            next = tests.NextScheduled(p, time.GetUtcNow()),
        };
    }

    private static IResult Answer<T>(ApiResult<T> r) => r.Value is { } v ? Results.Json(v, statusCode: r.Status) : Problems.Of(r.Status, r.Error!, r.Fix);

    private static IResult UnknownPeer(string peer) => Problems.Of(404, $"unknown peer '{peer}'", "Use a peer name or id from 'hotline peer list'.");

    private static IResult BadSince(string since) => Problems.Of(400, $"'{since}' is not a period", "Write it as 30d, 12h, 90m or 2w, or a date such as 2026-11-01.");

    private static IResult BadActor() => Problems.Of(400, $"{MessagesApi.OperatorHeader} must name the person acting (at most 64 characters)", "Send your name or call sign in that header.");
}

public sealed record StartTestRequest(string? Peer);

public sealed record EndpointsRequest(IReadOnlyList<string>? Endpoints);
