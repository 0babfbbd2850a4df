using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Hosting;

/// <summary>Each listener serves only its own surface: the link nothing but the link service, the operator listener never the link.</summary>
public sealed class ListenerTests
{
    [Fact]
    public async Task The_link_listener_answers_only_the_link_service_and_the_operator_listener_never_does()
    {
        await using var cluster = await TwoNodeCluster.StartAsync();
        var (a, b) = (cluster.A, cluster.B);

        // A pinned peer's certificate gets through TLS; the operator API and console are still not there.
        using var pinnedPeer = b.Folder.LoadCertificate();
        using var link = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls13,
                ClientCertificates = [pinnedPeer],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
        })
        {
            BaseAddress = a.Host.LinkUrl,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        link.DefaultRequestHeaders.Authorization = new("Bearer", a.Folder.LoadToken());
        foreach (var path in new[] { "/api/status", "/healthz", "/", "/signin" })
        {
            using var response = await link.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using var api = new HttpClient { BaseAddress = a.Host.ApiUrl };
        using var session = await api.PostAsync("/hotline.v1.Link/Session", new ByteArrayContent([]) { Headers = { ContentType = new("application/grpc") } });
        Assert.Equal(HttpStatusCode.NotFound, session.StatusCode);

        // And the link itself still works through its own pipeline.
        await a.SendAsync(b, "navy", "Radio check", "FLASH");
        await cluster.WaitAllDeliveredAsync();
    }
}
