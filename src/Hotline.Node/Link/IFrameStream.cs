using Grpc.Core;
using Hotline.Protocol;

namespace Hotline.Node.Link;

/// <summary>One side of a session's bidirectional stream, whichever side dialled.</summary>
public interface IFrameStream
{
    Task WriteAsync(Frame frame, CancellationToken ct);

    IAsyncStreamReader<Frame> Reader { get; }
}

internal sealed class ServerFrameStream(IAsyncStreamReader<Frame> reader, IServerStreamWriter<Frame> writer) : IFrameStream
{
    public IAsyncStreamReader<Frame> Reader => reader;

    public Task WriteAsync(Frame frame, CancellationToken ct) => writer.WriteAsync(frame, ct);
}

internal sealed class ClientFrameStream(AsyncDuplexStreamingCall<Frame, Frame> call) : IFrameStream
{
    public IAsyncStreamReader<Frame> Reader => call.ResponseStream;

    public Task WriteAsync(Frame frame, CancellationToken ct) => call.RequestStream.WriteAsync(frame, ct);
}
