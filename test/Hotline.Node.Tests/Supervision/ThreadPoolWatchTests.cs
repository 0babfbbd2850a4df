using Hotline.Node.Supervision;
using Xunit;

namespace Hotline.Node.Tests.Supervision;

public sealed class ThreadPoolWatchTests
{
    [Fact]
    public async Task A_probe_held_up_behind_a_thread_pool_whose_threads_are_all_blocked_is_counted_slow_with_its_wait()
    {
        using var watch = new ThreadPoolWatch(TimeSpan.FromMilliseconds(10));
        watch.Start();
        await WaitForProbesAsync(watch, 3);
        var slowBefore = watch.SlowStarts;
        var secondsBefore = watch.SlowSeconds;

        // More blocked work items than the pool has threads, or will add in the time they are held:
        // the probes queued behind them wait until they are released, from a thread of its own.
        using var release = new ManualResetEventSlim();
        ThreadPool.GetMinThreads(out var min, out _);
        var blockers = Math.Max(min, ThreadPool.ThreadCount) + 16;
        using var finished = new CountdownEvent(blockers);
        for (var i = 0; i < blockers; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_ =>
            {
                release.Wait();
                finished.Signal();
            }, null);
        }
        var releaser = new Thread(() =>
        {
            Thread.Sleep(400);
            release.Set();
        });
        releaser.Start();
        releaser.Join();
        Assert.True(finished.Wait(TimeSpan.FromSeconds(30)));
        await WaitForProbesAsync(watch, watch.Probes + 3);

        Assert.InRange(watch.SlowStarts - slowBefore, 1, 40);
        Assert.True(watch.SlowSeconds - secondsBefore >= ThreadPoolWatch.SlowStart.TotalSeconds, $"{watch.SlowSeconds - secondsBefore} s");
        Assert.InRange(watch.LongestSeconds, 0.2, 30);
    }

    private static async Task WaitForProbesAsync(ThreadPoolWatch watch, long probes)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (watch.Probes < probes)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the watch timed {watch.Probes} probes");
            await Task.Delay(10);
        }
    }
}
