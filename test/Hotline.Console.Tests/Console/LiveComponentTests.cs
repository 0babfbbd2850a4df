using System.Diagnostics;
using System.Threading.Channels;
using Hotline.Node.ConsoleUi;
using Xunit;

namespace Hotline.Console.Tests.Console;

/// <summary>How a console view follows the node's events (<see cref="LiveComponent.FollowAsync{T}"/>).</summary>
public sealed class LiveComponentTests
{
    [Fact]
    public async Task In_a_flood_a_view_reloads_a_few_times_a_second_and_once_after_the_last_event()
    {
        var events = Channel.CreateUnbounded<int>();
        var reloads = new List<long>();
        using var stop = new CancellationTokenSource();
        var following = LiveComponent.FollowAsync(events.Reader, () =>
        {
            lock (reloads)
            {
                reloads.Add(Stopwatch.GetTimestamp());
            }
            return Task.CompletedTask;
        }, stop.Token);

        // A flood: an event about every millisecond for a second and a half.
        var started = Stopwatch.GetTimestamp();
        var written = 0;
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1.5))
        {
            events.Writer.TryWrite(written++);
            await Task.Delay(1);
        }
        var lastEvent = Stopwatch.GetTimestamp();
        var flood = Stopwatch.GetElapsedTime(started);
        await WaitUntilAsync(() => reloads.Count > 0 && reloads[^1] > lastEvent, reloads);

        lock (reloads)
        {
            var allowed = (int)(flood / LiveComponent.ReloadInterval) + 2;
            Assert.True(reloads.Count <= allowed, $"{reloads.Count} reloads for {written} events in {flood.TotalSeconds:0.00} s (at most {allowed})");
            Assert.True(reloads.Count >= 3, $"{reloads.Count} reloads in {flood.TotalSeconds:0.00} s: the view must follow a flood, not wait for its end");
            var gaps = reloads.Zip(reloads.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b)).ToList();
            Assert.All(gaps, g => Assert.True(g >= LiveComponent.ReloadInterval - TimeSpan.FromMilliseconds(20), $"reloads {g.TotalMilliseconds:0} ms apart"));
        }

        // Quiet again: the next event is read at once, and then no more until another comes.
        await Task.Delay(LiveComponent.ReloadInterval * 2);
        var before = Count(reloads);
        events.Writer.TryWrite(-1);
        await WaitUntilAsync(() => reloads.Count > before, reloads);
        await Task.Delay(LiveComponent.ReloadInterval * 3);
        Assert.Equal(before + 1, Count(reloads));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => following);
    }

    [Fact]
    public async Task A_slow_reload_is_followed_by_four_times_its_time_before_the_next()
    {
        var events = Channel.CreateUnbounded<int>();
        var reloads = new List<(long Start, long End)>();
        using var stop = new CancellationTokenSource();
        var following = LiveComponent.FollowAsync(events.Reader, async () =>
        {
            var start = Stopwatch.GetTimestamp();
            await Task.Delay(200);
            lock (reloads)
            {
                reloads.Add((start, Stopwatch.GetTimestamp()));
            }
        }, stop.Token);

        for (var i = 0; i < 3; i++)
        {
            events.Writer.TryWrite(i);
            await WaitUntilAsync(() => reloads.Count > i, reloads);
            events.Writer.TryWrite(i);
        }

        lock (reloads)
        {
            for (var i = 1; i < reloads.Count; i++)
            {
                var took = Stopwatch.GetElapsedTime(reloads[i - 1].Start, reloads[i - 1].End);
                var rest = Stopwatch.GetElapsedTime(reloads[i - 1].End, reloads[i].Start);
                Assert.True(rest >= took * 4 - TimeSpan.FromMilliseconds(20), $"a reload of {took.TotalMilliseconds:0} ms followed by the next after {rest.TotalMilliseconds:0} ms");
            }
        }
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => following);
    }

    private static int Count<T>(List<T> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }

    private static async Task WaitUntilAsync<T>(Func<bool> condition, List<T> guard)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
        while (true)
        {
            lock (guard)
            {
                if (condition())
                {
                    return;
                }
            }
            Assert.True(Stopwatch.GetTimestamp() < deadline, "no reload within 10 s");
            await Task.Delay(10);
        }
    }
}
