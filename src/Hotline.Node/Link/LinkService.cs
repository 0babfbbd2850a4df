using Grpc.Core;
using Hotline.Node.Hosting;
using Hotline.Protocol;

namespace Hotline.Node.Link;

/// <summary>The gRPC endpoint peers dial. TLS has already checked the client certificate against the pins.</summary>
public sealed class LinkService(LinkManager links, PeerDirectory directory, SecurityLog security) : Protocol.Link.LinkBase
{
    public override async Task Session(IAsyncStreamReader<Frame> requestStream, IServerStreamWriter<Frame> responseStream, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var cert = http.Connection.ClientCertificate;
        var peer = cert is null ? null : directory.FindByTlsPin(Pins.Sha256Hex(cert));
        if (peer is null)
        {
            // Only reachable if a peer was removed between the handshake and this call.
            security.Record(SecurityLog.UnknownCertificate, $"session from {context.Peer} with an unpinned certificate");
            throw new RpcException(new Status(StatusCode.PermissionDenied, "unknown peer"));
        }
        await links.AcceptAsync(peer, new ServerFrameStream(requestStream, responseStream),
            http.Connection.RemoteIpAddress + ":" + http.Connection.RemotePort, context.CancellationToken);
    }
}
