using System.Threading.Channels;

namespace Hotline.Node.Messaging;

/// <summary>Fans node events out to live subscribers (the event stream, the console).</summary>
public sealed class EventHub
{
    public const int Capacity = 200_000;
    private readonly Lock _lock = new();
    private Channel<NodeEvent>[] _subscribers = [];

    public void Publish(NodeEvent e)
    {
        foreach (var s in _subscribers)
        {
            s.Writer.TryWrite(e);
        }
    }

    public Subscription Subscribe()
    {
        // A subscriber that stops reading loses its oldest events rather than the node's memory.
        var channel = Channel.CreateBounded<NodeEvent>(new BoundedChannelOptions(Capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        });
        lock (_lock)
        {
            _subscribers = [.. _subscribers, channel];
        }
        return new Subscription(this, channel);
    }

    private void Remove(Channel<NodeEvent> channel)
    {
        lock (_lock)
        {
            _subscribers = _subscribers.Where(c => c != channel).ToArray();
        }
        channel.Writer.TryComplete();
    }

    public sealed class Subscription(EventHub hub, Channel<NodeEvent> channel) : IDisposable
    {
        public ChannelReader<NodeEvent> Reader => channel.Reader;

        public void Dispose() => hub.Remove(channel);
    }
}
