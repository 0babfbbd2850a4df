using System.Security.Cryptography;
using Hotline.Core.Identity;
using Hotline.Core.Transcript;
using Xunit;

namespace Hotline.Core.Tests.Transcript;

public sealed class CheckpointCodecTests : IDisposable
{
    private readonly NodeIdentity _x = NodeIdentity.Create();
    private readonly NodeIdentity _y = NodeIdentity.Create();

    public void Dispose()
    {
        _x.Dispose();
        _y.Dispose();
    }

    private CheckpointStatement Statement() => new()
    {
        Sides = LinkSides.Of(_x.PublicKey, _y.PublicKey),
        CountAtoB = 7,
        HeadAtoB = SHA256.HashData([1]),
        CountBtoA = 0,
        HeadBtoA = [],
        TranscriptRoot = SHA256.HashData([2]),
        Created = DateTimeOffset.FromUnixTimeMilliseconds(1_795_824_213_916),
        Proposer = _y.PublicKey,
    };

    private (NodeIdentity A, NodeIdentity B) Ordered() => _x.PublicKey.CompareTo(_y.PublicKey) < 0 ? (_x, _y) : (_y, _x);

    [Fact]
    public void Encode_Decode_RoundTrips()
    {
        var s = Statement();
        var decoded = CheckpointCodec.Decode(CheckpointCodec.Encode(s));
        Assert.Null(decoded.Error);
        Assert.True(s.SameStateAs(decoded.Statement!));
        Assert.Equal(s.Created, decoded.Statement!.Created);
        Assert.Equal(s.Proposer, decoded.Statement.Proposer);
    }

    [Fact]
    public void Decode_RefusesExtraBytes_KeysOutOfOrder_AndMalformedHeads()
    {
        var body = CheckpointCodec.Encode(Statement());
        Assert.Equal("the checkpoint body is not canonically encoded", CheckpointCodec.Decode([.. body, 0x58, 0x01]).Error);

        var parsed = Hotline.Protocol.CheckpointBody.Parser.ParseFrom(body);
        (parsed.NodeA, parsed.NodeB) = (parsed.NodeB, parsed.NodeA);
        Assert.Equal("the checkpoint does not name two keys, lower first", CheckpointCodec.Decode(Google.Protobuf.MessageExtensions.ToByteArray(parsed)).Error);

        var noHead = Statement() with { HeadAtoB = [] };
        Assert.Equal("the checkpoint's counts, heads or root are malformed", CheckpointCodec.Decode(CheckpointCodec.Encode(noHead)).Error);
    }

    [Fact]
    public void Open_NeedsBothSignatures_EachOverTheCheckpointDomain()
    {
        var (a, b) = Ordered();
        var body = CheckpointCodec.Encode(Statement());
        var sa = CheckpointCodec.Sign(a, body);
        var sb = CheckpointCodec.Sign(b, body);
        Assert.Null(CheckpointCodec.Open(body, sa, sb).Error);
        Assert.Contains("node B's signature", CheckpointCodec.Open(body, sa, sa).Error, StringComparison.Ordinal);
        Assert.Contains("node A's signature", CheckpointCodec.Open(body, sb, sb).Error, StringComparison.Ordinal);
        // The same key signing the same bytes as an envelope does not make a checkpoint signature.
        var asEnvelope = SignatureDomain.Sign(a, SignatureDomain.Envelope, body);
        Assert.Contains("node A's signature", CheckpointCodec.Open(body, asEnvelope, sb).Error, StringComparison.Ordinal);
    }
}
