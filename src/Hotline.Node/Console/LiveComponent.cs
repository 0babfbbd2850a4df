using System.Diagnostics;
using System.Threading.Channels;
using Hotline.Node.Messaging;
using Hotline.Storage;
using Microsoft.AspNetCore.Components;

namespace Hotline.Node.ConsoleUi;

/// <summary>
/// A console view that stays current without reloading: it reloads its data when the node
/// publishes events (at most four times a second in a flood), and re-renders every second for its
/// countdowns.
/// </summary>
public abstract class LiveComponent : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    [Inject]
    private EventHub Hub { get; set; } = default!;

    [Inject]
    private ConsoleBus Bus { get; set; } = default!;

    [Inject]
    protected ConsoleSession Session { get; set; } = default!;

    [Inject]
    protected TimeProvider Time { get; set; } = default!;

    protected UserRecord? User { get; private set; }

    protected DateTimeOffset Now => Time.GetUtcNow();

    protected override async Task OnInitializedAsync()
    {
        User = await Session.UserAsync();
        await LoadAsync();
        Bus.Changed += OnConsoleChanged;
        _ = PumpAsync(_stop.Token);
        _ = TickAsync(_stop.Token);
    }

    /// <summary>Reads the view's data; called at first and after every burst of events.</summary>
    protected abstract Task LoadAsync();

    protected async Task ReloadAsync()
    {
        try
        {
            await InvokeAsync(async () =>
            {
                User = await Session.UserAsync();
                await LoadAsync();
                StateHasChanged();
            });
        }
        catch (ObjectDisposedException)
        {
            // The circuit closed while an event was on its way.
        }
    }

    private async Task PumpAsync(CancellationToken ct)
    {
        using var subscription = Hub.Subscribe();
        try
        {
            await FollowAsync(subscription.Reader, ReloadAsync, ct);
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>The shortest time from one reload's start to the next.</summary>
    public static readonly TimeSpan ReloadInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Calls <paramref name="reload"/> after every burst of <paramref name="events"/>: at once when
    /// the node has been quiet, then at most once every <see cref="ReloadInterval"/>, and never
    /// sooner than four times the last reload's own time after it (a view spends at most a fifth
    /// of a thread reading). The last event of a burst is always followed by a reload.
    /// </summary>
    /// <remarks>
    /// A view that reloaded after every burst kept reloading through a flood: a board left open
    /// while 20,000 messages crossed between two nodes in one process reloaded 230 to 290 times,
    /// 1.6 to 2.0 s of reading and rendering, and the flood took 3.18 s instead of 1.52 s with
    /// the board closed (medians of four; now 1.72 against 1.35 s, 14 to 24 reloads;
    /// ConsoleFloodBenchmark, bench/RESULTS.md).
    /// </remarks>
    public static async Task FollowAsync<T>(ChannelReader<T> events, Func<Task> reload, CancellationToken ct)
    {
        while (await events.WaitToReadAsync(ct))
        {
            while (events.TryRead(out _))
            {
            }
            var started = Stopwatch.GetTimestamp();
            await reload();
            var took = Stopwatch.GetElapsedTime(started);
            var wait = TimeSpan.FromTicks(Math.Max((ReloadInterval - took).Ticks, took.Ticks * 4));
            // Real time, whatever clock the node's deadlines use: this spares the CPU.
            await Task.Delay(wait, ct);
        }
    }

    private async Task TickAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                await InvokeAsync(StateHasChanged);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void OnConsoleChanged() => _ = ReloadAsync();

    public void Dispose()
    {
        Bus.Changed -= OnConsoleChanged;
        _stop.Cancel();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
