using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Hotline.Node.Supervision;

/// <summary>
/// Measures how long work queued to the process's thread pool waits before a thread takes it.
/// Requests, reads, the link's loops and timers all run there: when every pool thread is held
/// (blocked on a lock, the disk or a synchronous wait) or the machine has no core free, all of
/// them wait, and the pool adds threads only slowly. A thread of its own queues one small work item
/// every <see cref="Interval"/> and times its start; starts that waited <see cref="SlowStart"/> or
/// longer are counted with their time. A collector pause delays a start too (the collector's own
/// figures tell the two apart).
/// </summary>
public sealed class ThreadPoolWatch : IHostedService, IDisposable
{
    /// <summary>How often the pool is probed.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>A start that waited this long or longer is counted slow.</summary>
    public static readonly TimeSpan SlowStart = TimeSpan.FromMilliseconds(100);

    private readonly ManualResetEventSlim _stop = new();
    private readonly TimeSpan _interval;
    private Thread? _thread;
    private long _probes;
    private long _slowStarts;
    private long _slowTicks;
    private long _longestTicks;

    public ThreadPoolWatch()
        : this(Interval)
    {
    }

    /// <summary>For tests: a shorter interval.</summary>
    public ThreadPoolWatch(TimeSpan interval) => _interval = interval;

    /// <summary>Probes whose start was timed.</summary>
    public long Probes => Interlocked.Read(ref _probes);

    /// <summary>Probes that waited <see cref="SlowStart"/> or longer to start.</summary>
    public long SlowStarts => Interlocked.Read(ref _slowStarts);

    /// <summary>The time those probes waited, in all.</summary>
    public double SlowSeconds => Interlocked.Read(ref _slowTicks) / (double)Stopwatch.Frequency;

    /// <summary>The longest wait of a probe since the watch started.</summary>
    public double LongestSeconds => Interlocked.Read(ref _longestTicks) / (double)Stopwatch.Frequency;

    /// <summary>Starts the probing thread; the bench client uses this outside a host.</summary>
    public void Start()
    {
        if (_thread is not null)
        {
            return;
        }
        // Not a pool thread: what it times is the pool's.
        _thread = new Thread(Run) { IsBackground = true, Name = "thread pool watch" };
        _thread.Start();
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stop.Set();
        return Task.CompletedTask;
    }

    public void Dispose() => _stop.Set();

    private void Run()
    {
        using var started = new ManualResetEventSlim();
        while (!_stop.IsSet)
        {
            started.Reset();
            var queued = Stopwatch.GetTimestamp();
            ThreadPool.UnsafeQueueUserWorkItem(static e => e.Set(), started, preferLocal: false);
            // Wait for the probe even when stopping: it holds the event.
            started.Wait();
            Record(Stopwatch.GetTimestamp() - queued);
            _stop.Wait(_interval);
        }
    }

    private void Record(long waited)
    {
        Interlocked.Increment(ref _probes);
        if (waited >= SlowStart.TotalSeconds * Stopwatch.Frequency)
        {
            Interlocked.Increment(ref _slowStarts);
            Interlocked.Add(ref _slowTicks, waited);
        }
        // One writer (the watch's thread), so compare-then-store cannot lose a longer wait.
        if (waited > Interlocked.Read(ref _longestTicks))
        {
            Interlocked.Exchange(ref _longestTicks, waited);
        }
    }
}
