using System.Threading.Channels;

namespace Hotline.Node.Messaging;

/// <summary>Fans node events out to live subscribers (the event stream, the console).</summary>
public sealed class EventHub
{
    public const int Capacity = 200_000;
    private readonly Lock _lock = new();
    private Subscriber[] _subscribers = [];

    public void Publish(NodeEvent e)
    {
        foreach (var s in _subscribers)
        {
            if (s.Types?.Contains(e.Type) != false)
            {
                s.Channel.Writer.TryWrite(e);
            }
        }
    }

    /// <param name="types">Only these types of event; null for all.</param>
    public Subscription Subscribe(IReadOnlySet<string>? types = null)
    {
        // A subscriber that stops reading loses its oldest events rather than the node's memory.
        var channel = Channel.CreateBounded<NodeEvent>(new BoundedChannelOptions(Capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        });
        lock (_lock)
        {
            _subscribers = [.. _subscribers, new Subscriber(channel, types)];
        }
        return new Subscription(this, channel);
    }

    private void Remove(Channel<NodeEvent> channel)
    {
        lock (_lock)
        {
            _subscribers = _subscribers.Where(s => s.Channel != channel).ToArray();
        }
        channel.Writer.TryComplete();
    }

    private sealed record Subscriber(Channel<NodeEvent> Channel, IReadOnlySet<string>? Types);

    public sealed class Subscription(EventHub hub, Channel<NodeEvent> channel) : IDisposable
    {
        public ChannelReader<NodeEvent> Reader => channel.Reader;

        public void Dispose() => hub.Remove(channel);
    }
}
