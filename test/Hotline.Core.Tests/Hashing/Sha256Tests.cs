using System.Security.Cryptography;
using System.Text;
using Hotline.Core.Hashing;
using Xunit;

namespace Hotline.Core.Tests.Hashing;

public sealed class Sha256Tests
{
    [Fact]
    public void On_Linux_it_hashes_through_OpenSSL_itself()
    {
        Assert.Equal(OperatingSystem.IsLinux(), Sha256.Direct);
    }

    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void Known_answers(string text, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(Sha256.Hash(Encoding.ASCII.GetBytes(text))));
        Span<byte> into = stackalloc byte[Sha256.Length];
        Sha256.Framework(Encoding.ASCII.GetBytes(text), [], into);
        Assert.Equal(hex, Convert.ToHexStringLower(into));
    }

    [Fact]
    public void Every_length_and_split_hashes_as_the_framework_does()
    {
        var random = new Random(8);
        var data = new byte[3000];
        random.NextBytes(data);
        Span<byte> ours = stackalloc byte[Sha256.Length];
        Span<byte> framework = stackalloc byte[Sha256.Length];
        for (var length = 0; length < data.Length; length += length < 300 ? 1 : 97)
        {
            var whole = data.AsSpan(0, length);
            Sha256.Hash(whole, ours);
            Assert.True(ours.SequenceEqual(SHA256.HashData(whole)), $"length {length}");
            var split = random.Next(length + 1);
            Sha256.Hash(whole[..split], whole[split..], ours);
            Sha256.Framework(whole[..split], whole[split..], framework);
            Assert.True(ours.SequenceEqual(SHA256.HashData(whole)), $"length {length} split at {split}");
            Assert.True(framework.SequenceEqual(ours), $"length {length} split at {split}, the framework's way");
        }
    }

    [Fact]
    public async Task Threads_hashing_at_once_each_get_their_own_answers()
    {
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            var random = new Random(t);
            var data = new byte[700];
            Span<byte> into = stackalloc byte[Sha256.Length];
            for (var i = 0; i < 5_000; i++)
            {
                var part = data.AsSpan(0, random.Next(data.Length));
                random.NextBytes(part);
                Sha256.Hash([1], part, into);
                if (!into.SequenceEqual(SHA256.HashData([1, .. part])))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        Assert.Equal(0, failures);
    }

    [Fact]
    public void A_destination_shorter_than_a_hash_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Sha256.Hash([1, 2, 3], new byte[31]));
    }
}
