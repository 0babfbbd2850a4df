using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Protocol;

namespace Hotline.Benchmarks;

/// <summary>
/// The per-message CPU work of the hot path: build and sign on the sender (Seal), verify and
/// decode on the receiver (Open), and the parts they are made of.
/// </summary>
[MemoryDiagnoser]
public class EnvelopeBenchmarks : IDisposable
{
    private NodeIdentity _sender = null!;
    private NodeIdentity _recipient = null!;
    private EnvelopeDraft _draft = null!;
    private Envelope _sealed = null!;
    private EnvelopeBody _body = null!;
    private byte[] _prevHash = [];
    private DateTimeOffset _now;

    [Params(100, 4096)]
    public int TextBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _sender = Fixture.NewIdentity();
        _recipient = Fixture.NewIdentity();
        _draft = Fixture.Draft(TextBytes);
        _now = DateTimeOffset.UtcNow;
        _prevHash = new byte[32];
        _sealed = EnvelopeCodec.Seal(_sender, _recipient.PublicKey, _draft, 42, _prevHash, _now);
        _body = EnvelopeBody.Parser.ParseFrom(_sealed.Body);
    }

    /// <summary>Encode, sign, hash and decode a new envelope: what the sender does per message.</summary>
    [Benchmark]
    public Envelope Seal() => EnvelopeCodec.Seal(_sender, _recipient.PublicKey, _draft, 43, _prevHash, _now);

    [Benchmark]
    public byte[] Sign() => SignatureDomain.Sign(_sender, SignatureDomain.Envelope, _sealed.Body);

    [Benchmark]
    public bool VerifySignature() => SignatureDomain.Verify(_sender.PublicKey, SignatureDomain.Envelope, _sealed.Body, _sealed.Signature);

    /// <summary>Verify, parse, check and decode: what the receiver does per message.</summary>
    [Benchmark]
    public EnvelopeCheck Open() => EnvelopeCodec.Open(_sender.PublicKey, _recipient.PublicKey, _sealed.Body, _sealed.Signature);

    [Benchmark]
    public byte[] Encode() => _body.ToByteArray();

    [Benchmark]
    public EnvelopeBody Decode() => EnvelopeBody.Parser.ParseFrom(_sealed.Body);

    /// <summary>Decode of stored bytes, as the store's readers do (parse plus hash).</summary>
    [Benchmark]
    public Envelope DecodeTrusted() => EnvelopeCodec.DecodeTrusted(_sealed.Body, _sealed.Signature);

    [GlobalCleanup]
    public void Dispose()
    {
        _sender?.Dispose();
        _recipient?.Dispose();
        GC.SuppressFinalize(this);
    }
}
