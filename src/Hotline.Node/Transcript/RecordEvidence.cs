using Hotline.Core.Identity;
using Hotline.Core.Transcript.Evidence;
using Hotline.Storage.Transcript;

namespace Hotline.Node.Transcript;

/// <summary>
/// Checking the local record and exporting evidence bundles from it, read-only: the same code for
/// <c>hotline verify</c> / <c>hotline export</c> (node stopped or running) and the auditor's console.
/// </summary>
public static class RecordEvidence
{
    /// <summary>Re-checks every signature, chain link, receipt and checkpoint in the database file.</summary>
    /// <exception cref="StoreReadException">The file cannot be read as a Hotline store.</exception>
    public static StoreReport Verify(string databaseFile, NodeKey me, string myName)
    {
        using var reader = StoreReader.Open(databaseFile);
        return StoreVerifier.Verify(reader, me, myName);
    }

    /// <summary>Builds, signs and serialises a bundle of one link, then checks the bytes as any recipient would.</summary>
    public static EvidenceExport Export(string databaseFile, NodeIdentity me, BundleRequest request)
    {
        BundleBuild build;
        try
        {
            using var reader = StoreReader.Open(databaseFile);
            build = BundleBuilder.Build(reader, me, request);
        }
        catch (StoreReadException e)
        {
            return EvidenceExport.Fail(e.Message);
        }
        if (build.Bundle is not { } bundle)
        {
            return EvidenceExport.Fail(build.Error!);
        }
        var bytes = BundleJson.Serialize(bundle);
        var report = BundleVerifier.Verify(bytes);
        return report.Ok
            ? new EvidenceExport(bytes, report, build.Notes, null)
            : EvidenceExport.Fail($"the bundle does not verify ({report.Problems[0]}): run 'hotline verify' on this data folder");
    }
}

/// <summary>A bundle's bytes and their verification, or why none was written.</summary>
public sealed record EvidenceExport(byte[]? Bytes, BundleReport? Report, IReadOnlyList<string> Notes, string? Error)
{
    public static EvidenceExport Fail(string error) => new(null, null, [], error);
}
