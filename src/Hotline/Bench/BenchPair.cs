using System.Diagnostics;
using Hotline.Cli.Demo;

namespace Hotline.Cli.Bench;

/// <summary>
/// Two real nodes (child processes, default durable settings) with the bench's instruments
/// attached: a sender and an event recorder on each, and optionally a relay on each link
/// address so that the link can be cut and restored.
/// </summary>
internal sealed class BenchPair : IAsyncDisposable
{
    private readonly List<Sent> _aToB = [];
    private readonly List<Sent> _bToA = [];
    private readonly List<HttpClient> _eventClients = [];

    private BenchPair(NodePair pair, IReadOnlyList<TcpRelay> relays)
    {
        Pair = pair;
        Relays = relays;
    }

    public NodePair Pair { get; }
    public IReadOnlyList<TcpRelay> Relays { get; }
    public EventRecorder EventsA { get; } = new("A");
    public EventRecorder EventsB { get; } = new("B");
    public MessageSender A { get; private set; } = null!;
    public MessageSender B { get; private set; } = null!;
    public double LinkUpSeconds { get; private set; }
    /// <summary>Process start until both operator APIs answered (the nodes had started).</summary>
    public double ApiUpSeconds { get; private set; }
    public int? PidA => Pair.A.Pid;
    public int? PidB => Pair.B.Pid;

    public IReadOnlyList<Sent> AToB => _aToB;
    public IReadOnlyList<Sent> BToA => _bToA;

    /// <summary>Creates, pairs and starts two nodes; measures process start to link up.</summary>
    public static async Task<BenchPair> StartAsync(string root, bool relayed, CancellationToken ct)
    {
        var relays = new List<TcpRelay>();
        var options = new NodePairOptions
        {
            AdvertisedLinkPort = relayed
                ? port =>
                {
                    var relay = new TcpRelay { TargetPort = port };
                    relay.Start();
                    relays.Add(relay);
                    return relay.Port;
                }
                : null,
        };
        var pair = await NodePair.CreateAsync(root, "Bench A", "Bench B", options, ct);
        var bench = new BenchPair(pair, relays);
        try
        {
            await bench.StartNodesAsync(ct);
            return bench;
        }
        catch
        {
            await bench.DisposeAsync();
            throw;
        }
    }

    private async Task StartNodesAsync(CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        await Task.WhenAll(Pair.A.StartAsync(ct), Pair.B.StartAsync(ct));
        ApiUpSeconds = (DateTimeOffset.UtcNow - started).TotalSeconds;
        await Pair.WaitForLinkAsync(ct, TimeSpan.FromSeconds(60));
        var upSince = new List<DateTimeOffset>();
        foreach (var folder in new[] { Pair.A.Folder, Pair.B.Folder })
        {
            using var api = ApiClient.For(folder);
            upSince.Add((await api.GetAsync("/api/peers", ct))[0].GetProperty("stateSince").GetDateTimeOffset());
        }
        LinkUpSeconds = (upSince.Max() - started).TotalSeconds;
        A = new MessageSender("A", Pair.A.Folder, Pair.CardB.Key.Id);
        B = new MessageSender("B", Pair.B.Folder, Pair.CardA.Key.Id);
        foreach (var (sender, events) in new[] { (A, EventsA), (B, EventsB) })
        {
            var http = sender.NewEventClient();
            _eventClients.Add(http);
            await events.ConnectAsync(http, ct);
        }
    }

    public void Record(IEnumerable<Sent> sent, bool fromA)
    {
        var list = fromA ? _aToB : _bToA;
        lock (list)
        {
            list.AddRange(sent);
        }
    }

    /// <summary>Waits until every message has arrived on the other node and been reported delivered to its sender.</summary>
    public async Task WaitAllAsync(IReadOnlyList<Sent> sent, bool fromA, TimeSpan timeout, CancellationToken ct)
    {
        var (sender, receiver) = fromA ? (EventsA, EventsB) : (EventsB, EventsA);
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var i = 0;
        while (i < sent.Count)
        {
            if (receiver.TryGetReceived(sent[i].Id, out _) && sender.TryGetDelivered(sent[i].Id, out _))
            {
                i++;
                continue;
            }
            if (Stopwatch.GetTimestamp() > deadline)
            {
                var missing = sent.Count(s => !receiver.TryGetReceived(s.Id, out _));
                var unacked = sent.Count(s => !sender.TryGetDelivered(s.Id, out _));
                throw new BenchFailure($"{(fromA ? "A to B" : "B to A")}: after {timeout.TotalSeconds:0} s, {missing} of {sent.Count} messages " +
                    $"had not arrived and {unacked} were not reported delivered");
            }
            await Task.Delay(5, ct);
        }
    }

    public Task WaitAllAsync(IReadOnlyList<Sent> aToB, IReadOnlyList<Sent> bToA, TimeSpan timeout, CancellationToken ct) =>
        Task.WhenAll(WaitAllAsync(aToB, fromA: true, timeout, ct), WaitAllAsync(bToA, fromA: false, timeout, ct));

    public CpuSnapshot Cpu() => new(ProcStats.CpuSeconds(PidA), ProcStats.CpuSeconds(PidB) + _cpuOfEarlierB,
        ProcStats.CpuSeconds(Environment.ProcessId), ProcStats.MachineBusySeconds());

    // What node B's processes before a restart took: its CPU (so that CPU figures stay whole) and its peak RSS.
    private double _cpuOfEarlierB;

    /// <summary>The peak RSS of node B's processes before a restart (0 without one).</summary>
    public long PeakOfEarlierB { get; private set; }

    /// <summary>Kills node B (SIGKILL, as a crash), starts it again on its folder and follows its event stream again.</summary>
    public async Task RestartBAsync(CancellationToken ct)
    {
        _cpuOfEarlierB += ProcStats.CpuSeconds(PidB);
        PeakOfEarlierB = Math.Max(PeakOfEarlierB, ProcStats.Memory(PidB).Peak);
        await Pair.B.KillAsync();
        await Pair.B.StartAsync(ct);
        var http = B.NewEventClient();
        _eventClients.Add(http);
        await EventsB.ConnectAsync(http, ct);
    }

    /// <summary>Cuts both relays and waits until both nodes report the link down.</summary>
    public async Task CutAsync(CancellationToken ct)
    {
        foreach (var relay in Relays)
        {
            relay.Cut();
        }
        await WaitStateAsync("down", ct);
    }

    public void Restore()
    {
        foreach (var relay in Relays)
        {
            relay.Restore();
        }
    }

    private async Task WaitStateAsync(string state, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        using var apiA = ApiClient.For(Pair.A.Folder);
        using var apiB = ApiClient.For(Pair.B.Folder);
        while (!(await IsAsync(apiA) && await IsAsync(apiB)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new BenchFailure($"the link did not go {state} within 30 s");
            }
            await Task.Delay(10, ct);
        }

        async Task<bool> IsAsync(ApiClient api) =>
            (await api.GetAsync("/api/peers", ct)).EnumerateArray().All(p => p.GetProperty("state").GetString() == state);
    }

    /// <summary>Undelivered outbound messages on a node, as it reports them.</summary>
    public static async Task<long> UndeliveredAsync(NodeProcess node, CancellationToken ct)
    {
        using var api = ApiClient.For(node.Folder);
        return await NodePair.UndeliveredAsync(api, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await EventsA.DisposeAsync();
        await EventsB.DisposeAsync();
        foreach (var http in _eventClients)
        {
            http.Dispose();
        }
        A?.Dispose();
        B?.Dispose();
        await Pair.DisposeAsync();
        foreach (var relay in Relays)
        {
            await relay.DisposeAsync();
        }
    }
}

/// <summary>CPU seconds used so far by node A, node B, the bench itself, and the whole machine.</summary>
internal readonly record struct CpuSnapshot(double A, double B, double Bench, double Machine)
{
    public static BenchResults.CpuUse operator -(CpuSnapshot end, CpuSnapshot start)
    {
        var a = end.A - start.A;
        var b = end.B - start.B;
        var bench = end.Bench - start.Bench;
        return new BenchResults.CpuUse(Math.Round(a, 2), Math.Round(b, 2), Math.Round(bench, 2),
            Math.Round(Math.Max(0, end.Machine - start.Machine - a - b - bench), 2));
    }

    public static BenchResults.CpuUse Subtract(CpuSnapshot end, CpuSnapshot start) => end - start;
}
