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
        var reloads = new Reloads<long>();
        using var stop = new CancellationTokenSource();
        var following = LiveComponent.FollowAsync(events.Reader, () =>
        {
            reloads.Add(Stopwatch.GetTimestamp());
            return Task.CompletedTask;
        }, stop.Token);

        // A flood: an event about every millisecond for a second and a half, and on until the view has
        // reloaded three times during it (a busy machine can hold its timers back), 10 s at most.
        var started = Stopwatch.GetTimestamp();
        var written = 0;
        // Stamped just before each write: the reload that reads the last event starts after its stamp
        // (stamped after the write, a reload that read it in the pause that follows would start before).
        var lastEvent = started;
        while ((Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1.5) || reloads.Snapshot().Count < 3)
            && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10))
        {
            lastEvent = Stopwatch.GetTimestamp();
            events.Writer.TryWrite(written++);
            await Task.Delay(1);
        }
        var flood = Stopwatch.GetElapsedTime(started);
        var during = reloads.Snapshot().Count;
        var seen = await reloads.WaitUntilAsync(r => r.Count > 0 && r[^1] > lastEvent);

        var allowed = (int)(flood / LiveComponent.ReloadInterval) + 2;
        Assert.True(seen.Count <= allowed, $"{seen.Count} reloads for {written} events in {flood.TotalSeconds:0.00} s (at most {allowed})");
        Assert.True(during >= 3, $"{during} reloads in {flood.TotalSeconds:0.00} s of flood: the view must follow a flood, not wait for its end");
        var gaps = seen.Zip(seen.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b)).ToList();
        Assert.All(gaps, g => Assert.True(g >= LiveComponent.ReloadInterval - TimeSpan.FromMilliseconds(20), $"reloads {g.TotalMilliseconds:0} ms apart"));

        // Quiet again: the next event is read at once, and then no more until another comes.
        await Task.Delay(LiveComponent.ReloadInterval * 2);
        var before = reloads.Snapshot().Count;
        events.Writer.TryWrite(-1);
        await reloads.WaitUntilAsync(r => r.Count > before);
        await Task.Delay(LiveComponent.ReloadInterval * 3); // waiting for a reload that must not come
        Assert.Equal(before + 1, reloads.Snapshot().Count);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => following);
    }

    [Fact]
    public async Task A_slow_reload_is_followed_by_four_times_its_time_before_the_next()
    {
        var events = Channel.CreateUnbounded<int>();
        var reloads = new Reloads<(long Start, long End)>();
        using var stop = new CancellationTokenSource();
        var following = LiveComponent.FollowAsync(events.Reader, async () =>
        {
            var start = Stopwatch.GetTimestamp();
            await Task.Delay(200);
            reloads.Add((start, Stopwatch.GetTimestamp()));
        }, stop.Token);

        for (var i = 0; i < 3; i++)
        {
            events.Writer.TryWrite(i);
            var count = i;
            await reloads.WaitUntilAsync(r => r.Count > count);
            events.Writer.TryWrite(i);
        }

        var seen = reloads.Snapshot();
        for (var i = 1; i < seen.Count; i++)
        {
            var took = Stopwatch.GetElapsedTime(seen[i - 1].Start, seen[i - 1].End);
            var rest = Stopwatch.GetElapsedTime(seen[i - 1].End, seen[i].Start);
            Assert.True(rest >= took * 4 - TimeSpan.FromMilliseconds(20), $"a reload of {took.TotalMilliseconds:0} ms followed by the next after {rest.TotalMilliseconds:0} ms");
        }
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => following);
    }

    /// <summary>What the reloads noted, and a signal for each one.</summary>
    private sealed class Reloads<T>
    {
        private readonly List<T> _list = [];
        private readonly SemaphoreSlim _added = new(0);

        public void Add(T item)
        {
            lock (_list)
            {
                _list.Add(item);
            }
            _added.Release();
        }

        public List<T> Snapshot()
        {
            lock (_list)
            {
                return [.. _list];
            }
        }

        /// <summary>Waits, reload by reload, until <paramref name="condition"/> holds; at most 10 s.</summary>
        public async Task<List<T>> WaitUntilAsync(Func<List<T>, bool> condition)
        {
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
            while (Snapshot() is var seen && !condition(seen))
            {
                var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                Assert.True(left > TimeSpan.Zero && await _added.WaitAsync(left), "no such reload within 10 s");
            }
            return Snapshot();
        }
    }
}
