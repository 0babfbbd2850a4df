namespace Hotline.Node.ConsoleUi;

/// <summary>
/// Tells open consoles that something only the console shows has changed (handover notes, users,
/// the audit log). Node events (messages, links, alarms) come from the EventHub.
/// </summary>
public sealed class ConsoleBus
{
    public event Action? Changed;

    public void Publish() => Changed?.Invoke();
}
