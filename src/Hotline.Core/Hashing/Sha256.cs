using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Hotline.Core.Hashing;

/// <summary>
/// SHA-256 for the record's many small hashes: Merkle leaves and nodes, envelope and chain-entry
/// hashes, about ten for every message on each node.
/// </summary>
/// <remarks>
/// <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> on Linux creates an OpenSSL digest
/// context, clears OpenSSL's error queue and frees the context again for every hash: 690-1,270 ns
/// for the 65 bytes of a Merkle node on this machine, where the hashing itself takes under 200. A
/// node receiving a backlog spent 15 % of its CPU in those calls (bench/RESULTS.md, sixteenth
/// session). This class calls OpenSSL's EVP interface itself, as .NET does, with the digest fetched
/// once from OpenSSL's default library context (so a FIPS provider, when OpenSSL is configured for
/// one, serves it as it serves .NET) and a context kept per thread: 160-240 ns for 65 bytes,
/// 490-570 for 600 (1,000-1,060 before). Where OpenSSL 3's libcrypto cannot be loaded it uses
/// <see cref="SHA256"/>.
/// </remarks>
public static partial class Sha256
{
    /// <summary>Bytes in a hash.</summary>
    public const int Length = 32;

    private const string Library = "libcrypto.so.3";
    private static readonly nint Digest = Fetch();

    [ThreadStatic]
    private static Context? _context;

    /// <summary>Whether hashes go through OpenSSL directly (false: through <see cref="SHA256"/>).</summary>
    public static bool Direct => Digest != 0;

    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var hash = new byte[Length];
        Hash(data, [], hash);
        return hash;
    }

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> into) => Hash(data, [], into);

    /// <summary>The hash of <paramref name="first"/> followed by <paramref name="second"/>, without joining them.</summary>
    public static void Hash(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> into)
    {
        if (into.Length < Length)
        {
            throw new ArgumentException($"A SHA-256 hash takes {Length} bytes.", nameof(into));
        }
        if (Digest == 0)
        {
            Framework(first, second, into);
            return;
        }
        var context = (_context ??= new Context()).Handle;
        uint written = 0;
        if (EvpDigestInitEx(context, Digest, 0) != 1
            || EvpDigestUpdate(context, ref MemoryMarshal.GetReference(first), (nuint)first.Length) != 1
            || (second.Length > 0 && EvpDigestUpdate(context, ref MemoryMarshal.GetReference(second), (nuint)second.Length) != 1)
            || EvpDigestFinalEx(context, ref MemoryMarshal.GetReference(into), ref written) != 1
            || written != Length)
        {
            throw new CryptographicException("OpenSSL's SHA-256 failed.");
        }
    }

    /// <summary>The same through <see cref="SHA256"/>: where libcrypto 3 is missing, and to test against.</summary>
    internal static void Framework(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> into)
    {
        if (second.IsEmpty)
        {
            SHA256.HashData(first, into);
            return;
        }
        var joined = ArrayPool<byte>.Shared.Rent(first.Length + second.Length);
        try
        {
            first.CopyTo(joined);
            second.CopyTo(joined.AsSpan(first.Length));
            SHA256.HashData(joined.AsSpan(0, first.Length + second.Length), into);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(joined);
        }
    }

    /// <summary>A thread's digest context, freed when the thread has ended and this is collected.</summary>
    private sealed class Context
    {
        public Context()
        {
            Handle = EvpMdCtxNew();
            if (Handle == 0)
            {
                throw new CryptographicException("OpenSSL could not allocate a digest context.");
            }
        }

        public nint Handle { get; }

        ~Context() => EvpMdCtxFree(Handle);
    }

    private static nint Fetch()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }
        try
        {
            return EvpMdFetch(0, "SHA256", null);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0;
        }
    }

    [LibraryImport(Library, EntryPoint = "EVP_MD_fetch", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint EvpMdFetch(nint libraryContext, string algorithm, string? properties);

    [LibraryImport(Library, EntryPoint = "EVP_MD_CTX_new")]
    private static partial nint EvpMdCtxNew();

    [LibraryImport(Library, EntryPoint = "EVP_MD_CTX_free")]
    private static partial void EvpMdCtxFree(nint context);

    [LibraryImport(Library, EntryPoint = "EVP_DigestInit_ex")]
    private static partial int EvpDigestInitEx(nint context, nint digest, nint engine);

    [LibraryImport(Library, EntryPoint = "EVP_DigestUpdate")]
    private static partial int EvpDigestUpdate(nint context, ref byte data, nuint count);

    [LibraryImport(Library, EntryPoint = "EVP_DigestFinal_ex")]
    private static partial int EvpDigestFinalEx(nint context, ref byte hash, ref uint written);
}
