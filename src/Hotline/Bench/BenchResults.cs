namespace Hotline.Cli.Bench;

/// <summary>Everything one run measured; written as JSON and printed as a table.</summary>
internal sealed record BenchResults
{
    public required string Command { get; init; }
    public required BenchSettings Settings { get; init; }
    public required MachineInfo Machine { get; init; }
    public DateTimeOffset StartedUtc { get; init; }
    public double WallSeconds { get; set; }
    public StartupResult? Startup { get; set; }
    /// <summary>One at a time, each message its own POST /api/messages.</summary>
    public OneAtATimeResult? OneAtATime { get; set; }
    /// <summary>The same over a WebSocket (GET /api/messages/stream), alternating with the posted ones.</summary>
    public OneAtATimeResult? OneAtATimeStreamed { get; set; }
    public MaxRateResult? MaxRate { get; set; }
    /// <summary>The same with batched submissions (<see cref="BenchSettings.BatchSize"/> messages a request).</summary>
    public MaxRateResult? MaxRateBatched { get; set; }
    /// <summary>The same over WebSockets (GET /api/messages/stream), one message a frame.</summary>
    public MaxRateResult? MaxRateStreamed { get; set; }
    public List<StepResult> Steps { get; } = [];
    public FlashResult? Flash { get; set; }
    public CatchUpResult? CatchUp { get; set; }
    /// <summary>The same with the receiver killed and started again during the outage.</summary>
    public CatchUpResult? CatchUpAfterRestart { get; set; }
    public MemoryResult Memory { get; } = new();
    public CorrectnessResult Correctness { get; } = new();
    public NoiseResult? Noise { get; set; }
    /// <summary>The machine's speed when the run started and when it ended (<see cref="MachineSpeed"/>).</summary>
    public MachineSpeed? SpeedAtStart { get; set; }
    public MachineSpeed? SpeedAtEnd { get; set; }
    public List<TargetCheck> Targets { get; } = [];

    public sealed record StartupResult(double LinkUpSeconds, double ApiUpSeconds, double LinkUpSecondsViaRelay);

    /// <param name="Accepted">From the API call until A answered (its commit).</param>
    public sealed record OneAtATimeResult(LatencySummary Received, LatencySummary Delivered, LatencySummary Accepted);

    /// <summary>One figure for each node.</summary>
    public sealed record PerNode(double A, double B)
    {
        public override string ToString() => $"A {A:0} / B {B:0}";
    }

    /// <summary>
    /// Each node's store-writer transactions of <see cref="Hotline.Storage.WriterStats.SlowTransaction"/>
    /// or longer, and the seconds they took (<c>hotline_store_slow_transactions_total</c> and
    /// <c>..._seconds_total</c>): every write queued meanwhile on that node waited for them.
    /// </summary>
    public sealed record SlowWrites(PerNode Count, PerNode Seconds);

    /// <summary>
    /// Probes of the bench client's and each node's thread pool that waited
    /// <see cref="Hotline.Node.Supervision.ThreadPoolWatch.SlowStart"/> or longer for a thread, and
    /// their time (<c>hotline_threadpool_slow_starts_total</c>, <c>..._seconds_total</c>): everything
    /// queued to that pool meanwhile waited too. <paramref name="ThreadsAdded"/>: the change in each
    /// node's pool threads over the same span (the pool adds threads slowly when all are held).
    /// </summary>
    public sealed record PoolStalls(double BenchCount, double BenchSeconds, PerNode Count, PerNode Seconds, PerNode ThreadsAdded);

    public sealed record CpuUse(double NodeA, double NodeB, double Bench, double Others)
    {
        public double Nodes => NodeA + NodeB;
    }

    public sealed record MaxRateResult
    {
        public required BenchRunner.Submission Submission { get; init; }
        /// <summary>HTTP connections or, streamed, WebSockets.</summary>
        public required int SendersPerNode { get; init; }
        public int MessagesPerRequest { get; init; } = 1;
        public required int Messages { get; init; }
        public required double SendSeconds { get; init; }
        /// <summary>Messages accepted by both APIs per second while sending.</summary>
        public required double AcceptedPerSecond { get; init; }
        /// <summary>Messages that arrived on the other node per second, first send to last arrival.</summary>
        public required double DeliveredPerSecond { get; init; }
        /// <summary>Arrivals per second while the senders were running (the steady part).</summary>
        public required double ArrivalsPerSecondWhileSending { get; init; }
        public required long BacklogWhenSendingStopped { get; init; }
        public required LatencySummary Received { get; init; }
        public required CpuUse Cpu { get; init; }
        public required double NodeCpuSecondsPer1000 { get; init; }
        public required double BenchCpuSecondsPer1000 { get; init; }

        public string Describe() => Submission switch
        {
            BenchRunner.Submission.OneARequest => $"{SendersPerNode} closed-loop senders per node",
            BenchRunner.Submission.Batched => $"{SendersPerNode} closed-loop senders per node posting {MessagesPerRequest} a request",
            _ => $"{SendersPerNode} WebSockets per node (GET /api/messages/stream), one message a frame",
        };
    }

    public sealed record StepResult
    {
        public required string Label { get; init; }
        /// <summary>Sent over WebSockets (GET /api/messages/stream) rather than one request each.</summary>
        public bool Streamed { get; init; }
        public required double OfferedPerSecond { get; init; }
        public required double AchievedPerSecond { get; init; }
        public required int Messages { get; init; }
        public required LatencySummary Received { get; init; }
        /// <summary>
        /// From the API call until the other node committed the message, by that node's clock (whole
        /// milliseconds): far below <see cref="Received"/> when the time is lost in the event stream
        /// or the bench's reading of it rather than in the nodes.
        /// </summary>
        public required LatencySummary Committed { get; init; }
        public required LatencySummary Delivered { get; init; }
        public required LatencySummary Accepted { get; init; }
        public required double NodeCpuSecondsPer1000 { get; init; }
        public required double BenchCpuSecondsPer1000 { get; init; }
        /// <summary>The bench client's own collector pauses during the step: every event arriving in one is timed late by it.</summary>
        public required double BenchGcPauseMs { get; init; }
        /// <summary>Each node's collector pauses during the step (from its /metrics).</summary>
        public required PerNode NodeGcPauseMs { get; init; }
        /// <summary>Both nodes' managed allocations during the step, per message (from their /metrics).</summary>
        public required double NodeAllocatedKbPerMessage { get; init; }
        /// <summary>
        /// How busy each node's store writer was from just before the step to the end of its drain, in %
        /// (<c>hotline_store_busy_seconds_total</c>, disk waits included): near 100 it commits back to back,
        /// and more traffic makes each group commit, and each wait, larger.
        /// </summary>
        public required PerNode WriterBusyPercent { get; init; }
        /// <summary>
        /// The part of that time each writer's thread was on a core (<c>hotline_store_cpu_seconds_total</c>),
        /// in %: the rest of its busy time it waited, for the disk or for a core.
        /// </summary>
        public required PerNode WriterCpuPercent { get; init; }
        public required SlowWrites WriterSlow { get; init; }
        public required PoolStalls PoolSlow { get; init; }
        /// <summary>
        /// How long each node's message streams stopped reading because their window was full, all its
        /// sends waiting for their commit (<c>hotline_message_stream_full_seconds_total</c>, ms): the
        /// offered sends waited in the connection meanwhile, timed by the bench but not by the node.
        /// </summary>
        public required PerNode StreamFullMs { get; init; }
        /// <summary>CPU time the virtual machine's host took from its cores during the step (steal, ms, both cores).</summary>
        public required double StolenMs { get; init; }
        /// <summary>The machine's TCP retransmissions, retransmission timeouts and zero-window probes during the step.</summary>
        public required TcpCounters Tcp { get; init; }
        /// <summary>
        /// Sessions that came up during the step, as node A's event stream reported (<c>link.up</c>):
        /// above 0, the link dropped and was restored, and the messages in flight then waited for it.
        /// </summary>
        public long LinkUps { get; init; }
    }

    public sealed record FlashResult
    {
        public required int Backlog { get; init; }
        public required int Probes { get; init; }
        public required long BacklogLeftAtFirstProbe { get; init; }
        public required long BacklogLeftAtLastProbe { get; init; }
        public required LatencySummary Received { get; init; }
        public required LatencySummary Delivered { get; init; }
        /// <summary>From the API call until A answered: A's own commit, the part of the wait on A.</summary>
        public required LatencySummary Accepted { get; init; }
        /// <summary>
        /// From the API call until B committed the message, by B's clock in whole milliseconds (the
        /// same machine's): what is left of "received" is B's event stream and the bench reading it.
        /// </summary>
        public required LatencySummary CommittedOnB { get; init; }
        /// <summary>
        /// As <see cref="StepResult.BenchGcPauseMs"/>, from the first probe until the last was
        /// reported delivered (not the rest of the backlog's drain after it), as are the figures below.
        /// </summary>
        public required double BenchGcPauseMs { get; init; }
        public required PerNode NodeGcPauseMs { get; init; }
        /// <summary>As <see cref="StepResult.WriterBusyPercent"/>: a FLASH commit waits for the transaction it finds running.</summary>
        public required PerNode WriterBusyPercent { get; init; }
        public required PerNode WriterCpuPercent { get; init; }
        public required SlowWrites WriterSlow { get; init; }
        public required PoolStalls PoolSlow { get; init; }
    }

    public sealed record CatchUpResult
    {
        public required int Backlog { get; init; }
        public required double QueuedPerSecond { get; init; }
        public required double ReconnectSeconds { get; init; }
        public required double DrainSeconds { get; init; }
        public required double ArrivalsPerSecond { get; init; }
        public required double DeliveredPerSecond { get; init; }
        public required CpuUse Cpu { get; init; }
    }

    public sealed record MemoryResult
    {
        public long FreshA { get; set; }
        public long FreshB { get; set; }
        public long IdleA { get; set; }
        public long IdleB { get; set; }
        public long PeakA { get; set; }
        public long PeakB { get; set; }
    }

    public sealed record CorrectnessResult
    {
        public long Sent { get; set; }
        public long ReceivedOnce { get; set; }
        public long Missing { get; set; }
        public long Duplicated { get; set; }
        public long NotAcknowledged { get; set; }
        public long StoreChecked { get; set; }
        public List<string> Failures { get; } = [];
        public bool Passed => Failures.Count == 0 && Sent > 0;
    }

    /// <param name="StolenSeconds">CPU time the virtual machine's host took from its cores during the run (steal).</param>
    /// <param name="WallClockAheadSeconds">
    /// How much further the wall clock moved than the monotonic clock the figures are timed by: far
    /// from 0, the virtual machine was paused (a snapshot) or its clock was set during the run.
    /// </param>
    public sealed record NoiseResult(double[] LoadAverageAtEnd, double OtherProcessesCpuSeconds, double BenchCpuSeconds, double NodesCpuSeconds,
        double StolenSeconds, double WallClockAheadSeconds);

    public sealed record TargetCheck(string Figure, string Target, string Measured, bool Met);
}
