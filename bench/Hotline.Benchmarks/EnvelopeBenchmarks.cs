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
    private Envelope[] _batch = [];
    private Envelope[] _signedBatch = [];
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
        _batch = Batch();
        _signedBatch = Batch();
        EnvelopeCodec.SignBatch(_sender, _signedBatch);
    }

    /// <summary>A full signature batch of chained envelopes, built and not yet signed.</summary>
    private Envelope[] Batch()
    {
        var batch = new Envelope[EnvelopeSignature.MaxBatch];
        var prev = _prevHash;
        for (var i = 0; i < batch.Length; i++)
        {
            batch[i] = EnvelopeCodec.Build(_sender.PublicKey, _recipient.PublicKey, _draft, 100 + i, prev, _now);
            prev = batch[i].Hash;
        }
        return batch;
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

    /// <summary>
    /// One signature over a full batch's Merkle root and each envelope's inclusion path: the
    /// sender's signing cost per message under load (reported per envelope).
    /// </summary>
    [Benchmark(OperationsPerInvoke = EnvelopeSignature.MaxBatch)]
    public void SignBatch() => EnvelopeCodec.SignBatch(_sender, _batch);

    /// <summary>
    /// Verify and decode every envelope of a full batch, as a link does: one Ed25519 check for the
    /// batch, then each envelope's path to the checked root (reported per envelope).
    /// </summary>
    [Benchmark(OperationsPerInvoke = EnvelopeSignature.MaxBatch)]
    public int OpenBatch()
    {
        var verified = new VerifiedRoots();
        var opened = 0;
        foreach (var e in _signedBatch)
        {
            opened += EnvelopeCodec.Open(_sender.PublicKey, _recipient.PublicKey, e.Body, e.Signature, verified).Envelope is null ? 0 : 1;
        }
        return opened;
    }

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
