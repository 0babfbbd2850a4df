using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hotline.Core.Transcript.Evidence;

public static class BundleJson
{
    /// <summary>The one serialisation of a bundle; the file must be exactly this, plus a final line feed.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NewLine = "\n",
    };

    public static byte[] Serialize(EvidenceBundle bundle) =>
        [.. JsonSerializer.SerializeToUtf8Bytes(bundle, Options), (byte)'\n'];

    public static string DirectionName(ChainDirection d) => d == ChainDirection.AtoB ? "AB" : "BA";

    public static ChainDirection? ParseDirection(string text) => text switch
    {
        "AB" => ChainDirection.AtoB,
        "BA" => ChainDirection.BtoA,
        _ => null,
    };
}
