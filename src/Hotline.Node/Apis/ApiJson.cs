using System.Text.Json;
using System.Text.Json.Serialization;
using Hotline.Node.Messaging;

namespace Hotline.Node.Apis;

/// <summary>
/// Generated JSON metadata for what every message crosses: the send requests, the messages they
/// answer with, and the events of the live stream. In the operator API's resolver chain ahead of
/// the reflection-based resolver, which every other type falls through to.
/// </summary>
/// <remarks>
/// Its generated fast-path writers are not used: they need the standard escaping (ASP.NET's options
/// use a relaxed encoder) and every type of a view served by this context (the problem details'
/// context comes first and serves strings). Both changed, they were used and the node's CPU at full
/// rate did not move (hotline bench, perf, 2026-12-06): a view's strings and dates are the work.
/// </remarks>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SendRequest))]
[JsonSerializable(typeof(SendBatchRequest))]
[JsonSerializable(typeof(SendBatchResponse))]
[JsonSerializable(typeof(MessageView))]
[JsonSerializable(typeof(NodeEvent))]
internal sealed partial class ApiJson : JsonSerializerContext;
