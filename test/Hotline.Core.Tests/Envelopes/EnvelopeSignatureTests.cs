using System.Text;
using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Xunit;

namespace Hotline.Core.Tests.Envelopes;

public sealed class EnvelopeSignatureTests : IDisposable
{
    private readonly NodeIdentity _sender = NodeIdentity.Create();
    private readonly NodeIdentity _other = NodeIdentity.Create();

    public void Dispose()
    {
        _sender.Dispose();
        _other.Dispose();
    }

    private static byte[][] Bodies(int n) => [.. Enumerable.Range(1, n).Select(i => Encoding.UTF8.GetBytes($"envelope body {i}"))];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    public void Every_body_of_a_batch_verifies_on_its_own(int n)
    {
        var bodies = Bodies(n);
        var signatures = EnvelopeSignature.Sign(_sender, bodies);

        for (var i = 0; i < n; i++)
        {
            Assert.True(EnvelopeSignature.Verify(_sender.PublicKey, bodies[i], signatures[i]), $"body {i} of {n}");
            Assert.False(EnvelopeSignature.Verify(_other.PublicKey, bodies[i], signatures[i]), $"body {i} of {n} under another key");
        }
        // One Ed25519 signature per 16 bodies; a lone body gets a plain one.
        var groups = signatures.Select(s => Convert.ToHexString(s, 0, 64)).Distinct().Count();
        Assert.Equal((n + EnvelopeSignature.MaxBatch - 1) / EnvelopeSignature.MaxBatch, groups);
        Assert.Equal(n % EnvelopeSignature.MaxBatch == 1, signatures[^1].Length == 64);
        Assert.All(signatures, s => Assert.True(s.Length <= 66 + 4 * 32));
    }

    /// <summary>
    /// The batch format as docs/protocol.md §6.4 writes it, built here from the text and not from
    /// the code: a leaf is SHA-256(0x00 || body), an inner node SHA-256(0x01 || left || right), the
    /// last node of a level without a partner moves up unchanged; the signature is over count || root,
    /// followed by index, count and the partners on the way up. Envelopes signed by earlier versions
    /// and records already stored depend on it.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(13)]
    [InlineData(16)]
    public void A_batch_signature_is_laid_out_as_the_protocol_says(int n)
    {
        var bodies = Bodies(n);
        var signatures = EnvelopeSignature.Sign(_sender, bodies);

        static byte[] Sha(params byte[][] parts) => System.Security.Cryptography.SHA256.HashData(parts.SelectMany(p => p).ToArray());
        var levels = new List<byte[][]> { bodies.Select(b => Sha([0], b)).ToArray() };
        while (levels[^1].Length > 1)
        {
            var below = levels[^1];
            levels.Add(Enumerable.Range(0, (below.Length + 1) / 2)
                .Select(i => 2 * i + 1 < below.Length ? Sha([1], below[2 * i], below[2 * i + 1]) : below[2 * i])
                .ToArray());
        }
        var rootStatement = new[] { (byte)n }.Concat(levels[^1][0]).ToArray();
        for (var index = 0; index < n; index++)
        {
            var signature = signatures[index];
            Assert.True(SignatureDomain.Verify(_sender.PublicKey, SignatureDomain.EnvelopeBatch, rootStatement, signature.AsSpan(0, 64)));
            Assert.Equal((byte)index, signature[64]);
            Assert.Equal((byte)n, signature[65]);
            var partners = new List<byte>();
            for (int level = 0, place = index; level < levels.Count - 1; level++, place /= 2)
            {
                if ((place ^ 1) < levels[level].Length)
                {
                    partners.AddRange(levels[level][place ^ 1]);
                }
            }
            Assert.Equal(partners.ToArray(), signature[66..]);
        }
    }

    [Fact]
    public void Signatures_of_one_batch_are_the_same_batch_and_no_others_are()
    {
        var signatures = EnvelopeSignature.Sign(_sender, Bodies(33));
        var plain = EnvelopeSignature.Sign(_sender, Bodies(1))[0];

        Assert.True(EnvelopeSignature.SameBatch(signatures[0], signatures[15]));
        Assert.False(EnvelopeSignature.SameBatch(signatures[15], signatures[16]));
        Assert.True(EnvelopeSignature.SameBatch(signatures[16], signatures[31]));
        // The 33rd body is alone and signed plainly: never part of a batch, not even with itself.
        Assert.Equal(64, signatures[32].Length);
        Assert.False(EnvelopeSignature.SameBatch(signatures[32], signatures[32]));
        Assert.False(EnvelopeSignature.SameBatch(plain, plain));
        Assert.False(EnvelopeSignature.SameBatch(signatures[31], signatures[32]));
    }

    [Fact]
    public void A_plain_signature_is_the_one_envelopes_always_had()
    {
        var body = Bodies(1)[0];
        var plain = SignatureDomain.Sign(_sender, SignatureDomain.Envelope, body);

        Assert.True(EnvelopeSignature.Verify(_sender.PublicKey, body, plain));
        Assert.Equal(plain, EnvelopeSignature.Sign(_sender, [body])[0]);
    }

    [Fact]
    public void A_batch_signature_proves_nothing_about_another_body_or_a_changed_path()
    {
        var bodies = Bodies(7);
        var signatures = EnvelopeSignature.Sign(_sender, bodies);
        var cache = new VerifiedRoots();
        Assert.True(EnvelopeSignature.Verify(_sender.PublicKey, bodies[2], signatures[2], cache));

        // Another body of the same batch, with this body's proof; the same proof for a changed body.
        Assert.False(EnvelopeSignature.Verify(_sender.PublicKey, bodies[3], signatures[2], cache));
        var changed = (byte[])bodies[2].Clone();
        changed[0] ^= 1;
        Assert.False(EnvelopeSignature.Verify(_sender.PublicKey, changed, signatures[2], cache));
        // Every byte after the Ed25519 signature matters: index, count and each sibling hash.
        for (var i = 64; i < signatures[2].Length; i++)
        {
            var tampered = (byte[])signatures[2].Clone();
            tampered[i] ^= 1;
            Assert.False(EnvelopeSignature.Verify(_sender.PublicKey, bodies[2], tampered, cache), $"byte {i} flipped");
        }
        Assert.False(EnvelopeSignature.Verify(_sender.PublicKey, bodies[2], signatures[2][..^32], cache));
        Assert.False(EnvelopeSignature.Verify(_sender.PublicKey, bodies[2], [.. signatures[2], .. new byte[32]], cache));
        // The root's signature is not an envelope signature (domains differ).
        Assert.False(EnvelopeSignature.Verify(_sender.PublicKey, bodies[2], signatures[2][..64]));
    }

    [Fact]
    public void The_cache_answers_only_for_the_exact_statement_it_checked()
    {
        var bodies = Bodies(4);
        var signatures = EnvelopeSignature.Sign(_sender, bodies);
        var cache = new VerifiedRoots();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(EnvelopeSignature.Verify(_sender.PublicKey, bodies[i], signatures[i], cache));
        }
        // Same root and signature, presented as the other key's: still refused.
        Assert.False(EnvelopeSignature.Verify(_other.PublicKey, bodies[0], signatures[0], cache));
        // A forged signature over a cached root is checked, not trusted.
        var forged = (byte[])signatures[1].Clone();
        forged[10] ^= 1;
        Assert.False(EnvelopeSignature.Verify(_sender.PublicKey, bodies[1], forged, cache));
    }
}
