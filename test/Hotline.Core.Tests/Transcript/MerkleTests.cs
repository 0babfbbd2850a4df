using System.Security.Cryptography;
using Hotline.Core.Transcript;
using Xunit;

namespace Hotline.Core.Tests.Transcript;

public sealed class MerkleTests
{
    private static List<byte[]> Hashes(int n) => Enumerable.Range(0, n).Select(i => SHA256.HashData(BitConverter.GetBytes(i))).ToList();

    /// <summary>RFC 9162 §2.1.1, written out recursively as the RFC states it.</summary>
    private static byte[] Reference(IReadOnlyList<byte[]> entryHashes)
    {
        if (entryHashes.Count == 0)
        {
            return SHA256.HashData([]);
        }
        if (entryHashes.Count == 1)
        {
            return SHA256.HashData([0x00, .. entryHashes[0]]);
        }
        var k = 1;
        while (k * 2 < entryHashes.Count)
        {
            k *= 2;
        }
        return SHA256.HashData([0x01, .. Reference(entryHashes.Take(k).ToList()), .. Reference(entryHashes.Skip(k).ToList())]);
    }

    [Fact]
    public void Root_FrontierAndTree_EqualTheRfc9162DefinitionForEverySizeUpTo70()
    {
        for (var n = 0; n <= 70; n++)
        {
            var hashes = Hashes(n);
            var expected = Reference(hashes);
            Assert.Equal(expected, Merkle.Root(hashes));
            Assert.Equal(expected, MerkleTree.Build(hashes).Root);
        }
    }

    [Fact]
    public void Frontier_Clone_ContinuesIndependently()
    {
        var hashes = Hashes(20);
        var f = new MerkleFrontier();
        foreach (var h in hashes.Take(11))
        {
            f.Append(h);
        }
        var copy = f.Clone();
        foreach (var h in hashes.Skip(11))
        {
            copy.Append(h);
        }
        Assert.Equal(Reference(hashes.Take(11).ToList()), f.Root());
        Assert.Equal(Reference(hashes), copy.Root());
    }

    [Fact]
    public void Frontier_RestoredFromItsHashes_ContinuesAsTheOriginal()
    {
        var hashes = Hashes(140);
        var f = new MerkleFrontier();
        for (var n = 0; n <= 130; n++)
        {
            var restored = MerkleFrontier.Restore(n, f.Hashes());
            Assert.NotNull(restored);
            Assert.Equal(n, restored.Count);
            Assert.Equal(f.Root(), restored.Root());
            foreach (var h in hashes.Skip(n).Take(10))
            {
                restored.Append(h);
            }
            Assert.Equal(Reference(hashes.Take(n + 10).ToList()), restored.Root());
            f.Append(hashes[n]);
        }
        // One subtree per bit of the count, no more and no less.
        Assert.Null(MerkleFrontier.Restore(6, new byte[Merkle.HashBytes]));
        Assert.Null(MerkleFrontier.Restore(6, new byte[3 * Merkle.HashBytes]));
        Assert.Null(MerkleFrontier.Restore(-1, []));
    }

    [Fact]
    public void InclusionProofs_VerifyForEveryLeaf_AndFailWhenAnythingChanges()
    {
        for (var n = 1; n <= 40; n++)
        {
            var hashes = Hashes(n);
            var tree = MerkleTree.Build(hashes);
            for (var i = 0; i < n; i++)
            {
                var leaf = Merkle.Leaf(hashes[i]);
                var path = tree.Proof(i);
                Assert.True(Merkle.VerifyInclusion(leaf, i, n, path, tree.Root), $"leaf {i} of {n}");
                Assert.False(Merkle.VerifyInclusion(Merkle.Leaf(hashes[(i + 1) % n]), i, n, path, tree.Root) && n > 1, $"other leaf {i} of {n}");
                if (path.Count > 0)
                {
                    var bent = path.Select(p => (byte[])p.Clone()).ToList();
                    bent[^1][0] ^= 1;
                    Assert.False(Merkle.VerifyInclusion(leaf, i, n, bent, tree.Root));
                    Assert.False(Merkle.VerifyInclusion(leaf, i ^ 1, n, path, tree.Root) && (i ^ 1) < n);
                }
            }
        }
    }

    [Fact]
    public void TranscriptRoot_IsDomainSeparatedFromTreeNodes()
    {
        var a = Merkle.Root(Hashes(3));
        var b = Merkle.Root(Hashes(5));
        Assert.NotEqual(Merkle.Node(a, b), Merkle.TranscriptRoot(a, b));
        Assert.NotEqual(Merkle.TranscriptRoot(a, b), Merkle.TranscriptRoot(b, a));
    }
}
