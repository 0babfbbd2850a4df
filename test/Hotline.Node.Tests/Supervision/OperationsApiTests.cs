using System.Net;
using Hotline.Node.Supervision;
using Hotline.Testing;
using Xunit;
using static Hotline.Testing.MetricsText;

namespace Hotline.Node.Tests.Supervision;

public sealed class OperationsApiTests
{
    [Fact]
    public async Task Health_readiness_and_metrics_answer_without_a_token_and_the_api_still_wants_one()
    {
        await using var cluster = await TwoNodeCluster.StartAsync(new ClusterOptions { ThroughProxies = true, Node = new TestNodeOptions { HeartbeatSeconds = 0.5 } });
        var (a, b) = (cluster.A, cluster.B);
        using var http = new HttpClient { BaseAddress = a.Host.ApiUrl };

        using (var health = await http.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("ok\n", await health.Content.ReadAsStringAsync());
        }
        using (var ready = await http.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("\"ready\":true", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var api = await http.GetAsync("/api/status"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        }

        await a.SendAsync(b, "navy", "Radio check", "FLASH");
        await cluster.WaitAllDeliveredAsync();
        var peer = $"peer=\"{b.Id}\",peer_name=\"Node B\"";
        string metrics = "";
        await Poll.UntilAsync(async () =>
        {
            metrics = await http.GetStringAsync("/metrics");
            // Up, not just connected: on a machine busy running other tests a late heartbeat can
            // leave the link degraded for a moment.
            return metrics.Contains($"hotline_delivery_latency_seconds_count{{{peer}}} 1\n", StringComparison.Ordinal)
                && metrics.Contains($"hotline_link_rtt_seconds{{{peer}}} ", StringComparison.Ordinal)
                && metrics.Contains($"hotline_link_state{{{peer},state=\"up\"}} 1\n", StringComparison.Ordinal);
        }, "the delivery, a heartbeat and the link up to show in the metrics", TimeSpan.FromSeconds(20));

        // The poll above waited for the link to show up.
        Assert.Contains("# TYPE hotline_link_state gauge\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"hotline_link_state{{{peer},state=\"down\"}} 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"hotline_link_path_index{{{peer}}} 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"hotline_queue_depth{{{peer},precedence=\"FLASH\"}} 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE hotline_delivery_latency_seconds histogram\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"hotline_delivery_latency_seconds_bucket{{{peer},le=\"+Inf\"}} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"hotline_line_tests_missed_total{{{peer}}} 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains("hotline_alarms_open 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE dotnet_gc_pause_seconds_total counter\n", metrics, StringComparison.Ordinal);
        Assert.True(Sample(metrics, "process_resident_memory_bytes") > 1 << 20, metrics);
        Assert.True(Sample(metrics, "process_cpu_seconds_total") > 0, metrics);
        // The send and the receipt were committed by A's writer: at least two operations.
        Assert.True(Sample(metrics, "hotline_store_operations_total") >= 2, metrics);
        Assert.InRange(Sample(metrics, "hotline_store_transactions_total"), 1, Sample(metrics, "hotline_store_operations_total"));
        Assert.InRange(Sample(metrics, "hotline_store_commit_seconds_total"), double.Epsilon, Sample(metrics, "hotline_store_busy_seconds_total"));
        Assert.InRange(Sample(metrics, "hotline_store_cpu_seconds_total"), double.Epsilon, Sample(metrics, "hotline_store_busy_seconds_total") + 0.001);
        Assert.InRange(Sample(metrics, "hotline_store_slow_transactions_total"), 0, Sample(metrics, "hotline_store_transactions_total"));
        Assert.InRange(Sample(metrics, "hotline_store_slow_transaction_seconds_total"), 0, Sample(metrics, "hotline_store_busy_seconds_total"));
        Assert.True(Sample(metrics, "dotnet_threadpool_threads") >= 1, metrics);
        Assert.True(Sample(metrics, "dotnet_threadpool_queue_length") >= 0, metrics);
        Assert.True(Sample(metrics, "hotline_threadpool_slow_start_seconds_total") >= ThreadPoolWatch.SlowStart.TotalSeconds * Sample(metrics, "hotline_threadpool_slow_starts_total"), metrics);
        Assert.True(Sample(metrics, "hotline_threadpool_longest_start_seconds") > 0, metrics);
        // Counters since the node started: a collection made now shows in the next scrape.
        var gen2 = Sample(metrics, "dotnet_gc_collections_total{generation=\"2\"}");
        GC.Collect();
        var after = await http.GetStringAsync("/metrics");
        Assert.True(Sample(after, "dotnet_gc_collections_total{generation=\"2\"}") > gen2, after);
        Assert.True(Sample(after, "dotnet_gc_heap_bytes") > 0, after);
        Assert.True(Sample(after, "dotnet_gc_allocated_bytes_total") > Sample(metrics, "dotnet_gc_allocated_bytes_total"), after);
        Assert.DoesNotContain("Radio check", metrics, StringComparison.Ordinal);

        // Queued while the link is down: the depth by precedence shows it.
        foreach (var proxy in cluster.Proxies)
        {
            proxy.Cut();
        }
        await Poll.UntilAsync(() => !a.IsUpWith(b), "the link to go down", TimeSpan.FromSeconds(20));
        await a.SendAsync(b, "air", "queued 1", "IMMEDIATE");
        await a.SendAsync(b, "air", "queued 2", "IMMEDIATE");
        metrics = await http.GetStringAsync("/metrics");
        Assert.Contains($"hotline_queue_depth{{{peer},precedence=\"IMMEDIATE\"}} 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"hotline_link_state{{{peer},state=\"down\"}} 1\n", metrics, StringComparison.Ordinal);
    }
}
