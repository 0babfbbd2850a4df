using Hotline.Node.Messaging;
using Hotline.Storage;
using Microsoft.AspNetCore.Components;

namespace Hotline.Node.ConsoleUi;

/// <summary>
/// A console view that stays current without reloading: it reloads its data when the node
/// publishes an event, and re-renders every second for its countdowns.
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
            while (await subscription.Reader.WaitToReadAsync(ct))
            {
                while (subscription.Reader.TryRead(out _))
                {
                }
                await ReloadAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
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
