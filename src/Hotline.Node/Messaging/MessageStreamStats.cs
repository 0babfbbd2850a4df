using System.Diagnostics;

namespace Hotline.Node.Messaging;

/// <summary>
/// What the message streams (<c>GET /api/messages/stream</c>) did: how many are open, and how long
/// they stopped reading because their window was full, all its sends waiting for their commit.
/// A stream that is full takes sends only as fast as they commit; the rest wait in its connection,
/// and the gateway's latency grows though the node's own commit times do not.
/// </summary>
public sealed class MessageStreamStats
{
    private long _open;
    private long _fulls;
    private long _fullTicks;

    public long Open => Interlocked.Read(ref _open);

    /// <summary>Times a stream found its window full and stopped reading.</summary>
    public long Fulls => Interlocked.Read(ref _fulls);

    /// <summary>Time streams spent not reading for that, all streams added.</summary>
    public double FullSeconds => (double)Interlocked.Read(ref _fullTicks) / Stopwatch.Frequency;

    public void Opened() => Interlocked.Increment(ref _open);

    public void Closed() => Interlocked.Decrement(ref _open);

    /// <param name="since">Stopwatch timestamp of when the stream found its window full.</param>
    public void WasFull(long since)
    {
        Interlocked.Increment(ref _fulls);
        Interlocked.Add(ref _fullTicks, Stopwatch.GetTimestamp() - since);
    }
}
