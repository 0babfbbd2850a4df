using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Core.Pairing;
using Hotline.Node.Hosting;
using Hotline.Protocol;

namespace Hotline.Testing;

/// <summary>
/// A peer that speaks the wire protocol by hand, to drive the paths a real node never takes. It
/// owns a real initialised data folder (identity key and link certificate) but runs no node: the
/// test pins its card on a real node, then opens sessions to that node and sends what it likes.
/// </summary>
public sealed class FakePeer : IAsyncDisposable
{
    private readonly X509Certificate2 _certificate;
    private readonly List<FakeSession> _sessions = [];

    private FakePeer(DataFolder folder, NodeIdentity identity, X509Certificate2 certificate, PairingCard card)
    {
        Folder = folder;
        Identity = identity;
        _certificate = certificate;
        Card = card;
    }

    public DataFolder Folder { get; }
    public NodeIdentity Identity { get; }
    public NodeKey Key => Identity.PublicKey;
    public PairingCard Card { get; }

    /// <summary>
    /// Initialises a data folder for the fake peer. Its card advertises <paramref name="advertise"/>
    /// (the real node will try to dial it; nothing needs to answer).
    /// </summary>
    public static FakePeer Create(string path, string name, string advertise)
    {
        var folder = new DataFolder(path);
        var config = new NodeConfig { Name = name, Link = new LinkConfig { Listen = "127.0.0.1:0", Advertise = [advertise] } };
        folder.Initialise(config);
        return new FakePeer(folder, folder.LoadIdentity(), folder.LoadCertificate(), folder.CreateCard(config));
    }

    /// <summary>Opens a session to <paramref name="linkUrl"/>, pinning the server to <paramref name="serverPin"/>, and exchanges Hellos.</summary>
    /// <param name="catalogVersion">The message catalog version the Hello states (empty: none).</param>
    public async Task<FakeSession> ConnectAsync(Uri linkUrl, string serverPin, string catalogVersion = "", CancellationToken ct = default)
    {
        var session = new FakeSession(linkUrl, _certificate, serverPin);
        _sessions.Add(session);
        await session.StartAsync(Key, Card.Name, catalogVersion, ct);
        return session;
    }

    /// <summary>A fake peer in <paramref name="path"/> that <paramref name="node"/> has paired with, with a session open to it.</summary>
    public static async Task<(FakePeer Peer, FakeSession Session)> PairAsync(InProcessNode node, string path, string catalogVersion = "")
    {
        // The node will try to dial the fake peer's advertised address too; nothing listens there.
        var fake = Create(path, "Fake Peer", $"https://127.0.0.1:{Hotline.Cli.Demo.NodeProcess.FreePort()}");
        try
        {
            await node.AddPeerAsync(fake.Card);
            var session = await fake.ConnectAsync(node.Host.LinkUrl, node.ExportCard().TlsCertificateSha256, catalogVersion);
            if (!node.Key.Is(session.PeerHello.NodeKey.Span))
            {
                throw new InvalidOperationException("the Hello came from another node");
            }
            return (fake, session);
        }
        catch
        {
            await fake.DisposeAsync();
            throw;
        }
    }

    /// <summary>Signs any envelope for <paramref name="recipient"/> exactly as a node would.</summary>
    public Envelope Seal(NodeKey recipient, long seq, ReadOnlySpan<byte> prevHash, EnvelopeDraft draft) =>
        EnvelopeCodec.Seal(Identity, recipient, draft, seq, prevHash, DateTimeOffset.UtcNow);

    /// <summary>Signs an envelope for <paramref name="recipient"/> exactly as a node would.</summary>
    public Envelope Seal(NodeKey recipient, long seq, ReadOnlySpan<byte> prevHash, string channel, string text) =>
        Seal(recipient, seq, prevHash, new EnvelopeDraft { Channel = channel, Text = text, Label = Hotline.Core.Messages.Label.Default });

    /// <summary>A signed receipt for envelopes <paramref name="sender"/> sent to this fake peer.</summary>
    public SignedReceipt Receipt(NodeKey sender, IReadOnlyList<long> committed) =>
        ReceiptCodec.Seal(Identity, sender, committed, [], DateTimeOffset.UtcNow);

    public static SignedEnvelope Wire(Envelope e) =>
        new() { Body = ByteString.CopyFrom(e.Body), Signature = ByteString.CopyFrom(e.Signature) };

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _sessions)
        {
            await s.DisposeAsync();
        }
        _certificate.Dispose();
        Identity.Dispose();
    }
}
