using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hotline.Storage.Sqlite;

/// <summary>
/// The JSON columns of the peers table, with serializer code generated at build time: read by
/// reflection, the peer list alone took about 40 ms of a node's start.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(PeerSettings))]
internal sealed partial class PeerRowJson : JsonSerializerContext;
