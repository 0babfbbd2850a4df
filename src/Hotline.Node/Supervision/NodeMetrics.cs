using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Hotline.Core.Envelopes;
using Hotline.Core.Messages;
using Hotline.Node.Apis;
using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Storage;
using Microsoft.Extensions.Hosting;

namespace Hotline.Node.Supervision;

/// <summary>
/// The node's Prometheus metrics, written in the text exposition format (version 0.0.4). Gauges
/// are read when scraped; delivery latency (commit to the peer's receipt) is a histogram fed
/// from the event hub.
/// </summary>
public sealed class NodeMetrics(EventHub events, LinkManager links, PeerDirectory directory, IHotlineStore store,
    ISupervisionStore supervision, LinkStateRecorder recorder, ThreadPoolWatch pool, MessageStreamStats streams) : BackgroundService
{
    /// <summary>Bucket bounds of the delivery latency histogram, seconds.</summary>
    public static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600];

    private readonly ConcurrentDictionary<string, Histogram> _latency = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = events.Subscribe();
        try
        {
            await foreach (var e in subscription.Reader.ReadAllAsync(stoppingToken))
            {
                if (e.Type == EventTypes.MessageDelivered && e.Id is { } id && e.Peer is { } peer)
                {
                    // A UUIDv7 carries its creation time: the first 48 bits, in milliseconds.
                    var created = CreatedAt(id);
                    _latency.GetOrAdd(peer, _ => new Histogram()).Observe(Math.Max(0, (e.At - created).TotalSeconds));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public static DateTimeOffset CreatedAt(Guid id)
    {
        var b = Uuid7.ToBytes(id);
        long ms = 0;
        for (var i = 0; i < 6; i++)
        {
            ms = (ms << 8) | b[i];
        }
        return DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }

    public string Render()
    {
        var w = new Writer();
        var peers = directory.All.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

        w.Family("hotline_link_state", "gauge", "1 for the link's current state (up, degraded, down), 0 for the others.");
        foreach (var p in peers)
        {
            var state = LinkStateRecorder.Name(links.Find(p.Id)?.State ?? LinkState.Down);
            foreach (var s in new[] { LinkStateNames.Up, LinkStateNames.Degraded, LinkStateNames.Down })
            {
                w.Sample("hotline_link_state", Labels(p, ("state", s)), s == state ? 1 : 0);
            }
        }
        w.Family("hotline_link_path_index", "gauge", "Place of the current path in the dialled side's endpoint list (0 = preferred); -1 when down or unknown.");
        foreach (var p in peers)
        {
            w.Sample("hotline_link_path_index", Labels(p), links.Find(p.Id)?.Path?.Index ?? -1);
        }
        w.Family("hotline_link_rtt_seconds", "gauge", "Round-trip time of the last heartbeat on the current session.");
        foreach (var p in peers)
        {
            if (links.Find(p.Id)?.RoundTrip is { } rtt)
            {
                w.Sample("hotline_link_rtt_seconds", Labels(p), rtt.TotalSeconds);
            }
        }
        w.Family("hotline_link_failovers_total", "counter", "Moves to a less preferred path since the node started.");
        foreach (var p in peers)
        {
            w.Sample("hotline_link_failovers_total", Labels(p), recorder.Failovers(p.Id));
        }
        w.Family("hotline_queue_depth", "gauge", "Outbound envelopes not yet receipted by the peer, by precedence.");
        foreach (var p in peers)
        {
            var counts = links.Find(p.Id)?.Queue.PendingByPrecedence() ?? new int[4];
            foreach (var precedence in Enum.GetValues<Precedence>())
            {
                w.Sample("hotline_queue_depth", Labels(p, ("precedence", precedence.ToWire())), counts[(int)precedence - 1]);
            }
        }
        w.Family("hotline_delivery_latency_seconds", "histogram", "From commit on this node to the peer's signed receipt, for messages delivered since the node started.");
        foreach (var p in peers)
        {
            _latency.GetOrAdd(p.Id, _ => new Histogram()).Write(w, "hotline_delivery_latency_seconds", Labels(p));
        }
        w.Family("hotline_line_tests_missed_total", "counter", "Line tests (either side's) that were not answered within their window.");
        foreach (var p in peers)
        {
            w.Sample("hotline_line_tests_missed_total", Labels(p), supervision.CountAlarms(p.Id, AlarmKinds.LineTestMissed));
        }
        w.Family("hotline_alarms_open", "gauge", "Alarms raised and not yet cleared.");
        w.Sample("hotline_alarms_open", "", store.ListAlarms(openOnly: true, limit: 100_000).Count);
        var writer = store.Writer;
        w.Family("hotline_store_transactions_total", "counter", "Transactions the store's single writer committed (each holds what was queued while the one before it committed).");
        w.Sample("hotline_store_transactions_total", "", writer.Transactions);
        w.Family("hotline_store_operations_total", "counter", "Write operations (a send, a batch received, a receipt, ...) those transactions held.");
        w.Sample("hotline_store_operations_total", "", writer.Operations);
        w.Family("hotline_store_busy_seconds_total", "counter", "Time the writer spent running, committing (disk waits included) and answering its batches: its rate is the writer's load; near 1 it commits back to back.");
        w.Sample("hotline_store_busy_seconds_total", "", writer.BusySeconds);
        w.Family("hotline_store_commit_seconds_total", "counter", "Part of that time spent in COMMIT: writing the log, waiting for the disk, and the log checkpoints run there.");
        w.Sample("hotline_store_commit_seconds_total", "", writer.CommitSeconds);
        w.Family("hotline_store_cpu_seconds_total", "counter", "CPU time the writer's thread used in that busy time (Linux): the rest was spent waiting, for the disk or for a core.");
        w.Sample("hotline_store_cpu_seconds_total", "", writer.CpuSeconds);
        var slow = $"{WriterStats.SlowTransaction.TotalMilliseconds:0} ms";
        w.Family("hotline_store_slow_transactions_total", "counter", $"Transactions that held the writer {slow} or longer (a stalled disk, a long log checkpoint, a machine with no core free): all writes queued meanwhile, urgent ones too, waited.");
        w.Sample("hotline_store_slow_transactions_total", "", writer.SlowTransactions);
        w.Family("hotline_store_slow_transaction_seconds_total", "counter", "Time the writer spent in those transactions.");
        w.Sample("hotline_store_slow_transaction_seconds_total", "", writer.SlowSeconds);
        w.Family("hotline_message_streams_open", "gauge", "Message streams (GET /api/messages/stream) open now.");
        w.Sample("hotline_message_streams_open", "", streams.Open);
        w.Family("hotline_message_stream_full_total", "counter",
            $"Times a message stream stopped reading because {MessageStreamApi.Window} of its sends were waiting for their commit: the node took sends slower than the gateway offered them.");
        w.Sample("hotline_message_stream_full_total", "", streams.Fulls);
        w.Family("hotline_message_stream_full_seconds_total", "counter", "Time message streams spent not reading for that, all streams added: sends offered meanwhile waited in the connection, before the node had them.");
        w.Sample("hotline_message_stream_full_seconds_total", "", streams.FullSeconds);
        WriteProcess(w);
        WriteThreadPool(w);
        return w.ToString();
    }

    /// <summary>The thread pool: when it is held up, every request, read and send waits (<see cref="ThreadPoolWatch"/>).</summary>
    private void WriteThreadPool(Writer w)
    {
        w.Family("dotnet_threadpool_threads", "gauge", "Threads in the node's thread pool: it adds them slowly when all are held.");
        w.Sample("dotnet_threadpool_threads", "", ThreadPool.ThreadCount);
        w.Family("dotnet_threadpool_queue_length", "gauge", "Work items queued to the thread pool and not yet started.");
        w.Sample("dotnet_threadpool_queue_length", "", ThreadPool.PendingWorkItemCount);
        var slow = $"{ThreadPoolWatch.SlowStart.TotalMilliseconds:0} ms";
        w.Family("hotline_threadpool_slow_starts_total", "counter",
            $"Probes queued to the thread pool (one every {ThreadPoolWatch.Interval.TotalMilliseconds:0} ms) that waited {slow} or longer for a thread (all threads held, no core free, or a collector pause): work queued meanwhile waited as long.");
        w.Sample("hotline_threadpool_slow_starts_total", "", pool.SlowStarts);
        w.Family("hotline_threadpool_slow_start_seconds_total", "counter", "Time those probes waited.");
        w.Sample("hotline_threadpool_slow_start_seconds_total", "", pool.SlowSeconds);
        w.Family("hotline_threadpool_longest_start_seconds", "gauge", "The longest a probe waited for a thread since the node started.");
        w.Sample("hotline_threadpool_longest_start_seconds", "", pool.LongestSeconds);
    }

    /// <summary>The process and its runtime: what a node's latency tail is often made of.</summary>
    private static void WriteProcess(Writer w)
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        w.Family("process_cpu_seconds_total", "counter", "CPU time (user and system) of the node's process.");
        w.Sample("process_cpu_seconds_total", "", self.TotalProcessorTime.TotalSeconds);
        w.Family("process_resident_memory_bytes", "gauge", "Resident memory of the node's process.");
        w.Sample("process_resident_memory_bytes", "", Environment.WorkingSet);
        w.Family("dotnet_gc_collections_total", "counter", "Garbage collections since the node started, by generation (a collection of a generation also collects the younger ones).");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            w.Sample("dotnet_gc_collections_total", $"generation=\"{generation}\"", GC.CollectionCount(generation));
        }
        w.Family("dotnet_gc_pause_seconds_total", "counter", "Time the node's threads were paused by the garbage collector since it started.");
        w.Sample("dotnet_gc_pause_seconds_total", "", GC.GetTotalPauseDuration().TotalSeconds);
        w.Family("dotnet_gc_allocated_bytes_total", "counter", "Bytes allocated on the managed heap since the node started.");
        w.Sample("dotnet_gc_allocated_bytes_total", "", GC.GetTotalAllocatedBytes());
        w.Family("dotnet_gc_heap_bytes", "gauge", "Managed heap size after the last collection.");
        w.Sample("dotnet_gc_heap_bytes", "", GC.GetGCMemoryInfo().HeapSizeBytes);
    }

    private static string Labels(PeerRecord p, params (string Name, string Value)[] extra) =>
        string.Join(",", new[] { ("peer", p.Id), ("peer_name", p.Name) }.Concat(extra).Select(l => $"{l.Item1}=\"{Escape(l.Item2)}\""));

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    internal sealed class Writer
    {
        private readonly StringBuilder _s = new();

        public void Family(string name, string type, string help) => _s.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

        public void Sample(string name, string labels, double value)
        {
            _s.Append(name);
            if (labels.Length > 0)
            {
                _s.Append('{').Append(labels).Append('}');
            }
            _s.Append(' ').Append(Format(value)).Append('\n');
        }

        public static string Format(double v) =>
            double.IsPositiveInfinity(v) ? "+Inf" : v.ToString("R", CultureInfo.InvariantCulture);

        public override string ToString() => _s.ToString();
    }

    /// <summary>A cumulative histogram; observations are counted lock-free.</summary>
    internal sealed class Histogram
    {
        private readonly long[] _counts = new long[Buckets.Length + 1];
        private long _sumMicros;

        public void Observe(double seconds)
        {
            // The first bucket it fits, or the last (+Inf); a loop, as this runs for every delivered message.
            var i = 0;
            while (i < Buckets.Length && seconds > Buckets[i])
            {
                i++;
            }
            Interlocked.Increment(ref _counts[i]);
            Interlocked.Add(ref _sumMicros, (long)(seconds * 1_000_000));
        }

        public void Write(Writer w, string name, string labels)
        {
            long cumulative = 0;
            for (var i = 0; i < Buckets.Length; i++)
            {
                cumulative += Interlocked.Read(ref _counts[i]);
                w.Sample(name + "_bucket", labels + $",le=\"{Writer.Format(Buckets[i])}\"", cumulative);
            }
            cumulative += Interlocked.Read(ref _counts[Buckets.Length]);
            w.Sample(name + "_bucket", labels + ",le=\"+Inf\"", cumulative);
            w.Sample(name + "_sum", labels, Interlocked.Read(ref _sumMicros) / 1_000_000.0);
            w.Sample(name + "_count", labels, cumulative);
        }
    }
}
