namespace Hotline.Cli.Bench;

/// <summary>How much of each phase a run does. <see cref="Full"/> is the definition.</summary>
internal sealed record BenchSettings
{
    public required string Mode { get; init; }
    /// <summary>Messages sent one at a time, A to B, each way (posted, streamed).</summary>
    public required int OneAtATime { get; init; }
    /// <summary>Messages each way before measuring, so that both nodes are JIT-warm.</summary>
    public required int Warmup { get; init; }
    public required TimeSpan MaxDuration { get; init; }
    public required TimeSpan StepDuration { get; init; }
    /// <summary>
    /// Concurrent closed-loop senders per node in the maximum-rate phase. Enough to keep both nodes
    /// busy: with 16, each waiting for its commit, the rate was bound by commit latency and the
    /// fixed 10,000/s step sent more than the "maximum" (quick run: 4,753/s with 16, 7,431/s with 64).
    /// </summary>
    public required int Senders { get; init; }
    /// <summary>
    /// The batched maximum-rate phase: senders per node, each posting this many messages a request
    /// (POST /api/messages/batch), as a gateway relaying a flood of reports would, and posting the
    /// next once the other node has them all.
    /// </summary>
    public required int BatchSenders { get; init; }
    public required int BatchSize { get; init; }
    /// <summary>
    /// WebSockets per node (GET /api/messages/stream) in the streamed phases; in the closed loop each
    /// keeps up to <see cref="StreamWindow"/> messages on their way to the other node, as many in all
    /// as the batched phase keeps (16 x 20).
    /// </summary>
    public required int Streams { get; init; }
    public required int StreamWindow { get; init; }
    /// <summary>
    /// WebSockets per node in the streamed constant-rate step: one, as the XMPP anchor's sweep
    /// offers its rate on one client stream.
    /// </summary>
    public required int PacedStreams { get; init; }
    /// <summary>Requests allowed outstanding per node in the constant-rate steps.</summary>
    public required int PacedSenders { get; init; }
    /// <summary>The fixed offered rate of the target, total of both directions.</summary>
    public required double FixedRate { get; init; }
    public required int Backlog { get; init; }
    public required int FlashProbes { get; init; }
    public required TimeSpan FlashInterval { get; init; }

    public static BenchSettings Full() => new()
    {
        Mode = "full",
        OneAtATime = 2_000,
        Warmup = 2_000,
        MaxDuration = TimeSpan.FromSeconds(30),
        StepDuration = TimeSpan.FromSeconds(10),
        Senders = 64,
        BatchSenders = 16,
        BatchSize = 20,
        Streams = 4,
        StreamWindow = 80,
        PacedStreams = 1,
        PacedSenders = 64,
        FixedRate = 10_000,
        Backlog = 100_000,
        FlashProbes = 200,
        FlashInterval = TimeSpan.FromMilliseconds(10),
    };

    public static BenchSettings Quick() => new()
    {
        Mode = "quick",
        OneAtATime = 200,
        Warmup = 500,
        MaxDuration = TimeSpan.FromSeconds(3),
        StepDuration = TimeSpan.FromSeconds(2),
        Senders = 64,
        BatchSenders = 16,
        BatchSize = 20,
        Streams = 4,
        StreamWindow = 80,
        PacedStreams = 1,
        PacedSenders = 64,
        FixedRate = 10_000,
        Backlog = 10_000,
        FlashProbes = 30,
        FlashInterval = TimeSpan.FromMilliseconds(10),
    };
}
