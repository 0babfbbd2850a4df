using System.Text.Json;
using System.Text.Json.Serialization;
using Hotline.Node.Messaging;

namespace Hotline.Node.Apis;

/// <summary>
/// Generated JSON code for what every message crosses: the send requests, the messages they answer
/// with, and the events of the live stream. First in the operator API's resolver chain (with the
/// API's web defaults, so its writers take the generated fast path); every other type falls through
/// to the reflection-based resolver behind it.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SendRequest))]
[JsonSerializable(typeof(SendBatchRequest))]
[JsonSerializable(typeof(SendBatchResponse))]
[JsonSerializable(typeof(MessageView))]
[JsonSerializable(typeof(NodeEvent))]
internal sealed partial class ApiJson : JsonSerializerContext;
