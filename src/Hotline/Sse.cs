using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Hotline.Cli;

/// <summary>Reads a node's Server-Sent Events stream.</summary>
internal static class Sse
{
    public static async IAsyncEnumerable<(string Type, JsonElement Data)> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(ct))
        {
            using var doc = JsonDocument.Parse(item.Data);
            yield return (item.EventType, doc.RootElement.Clone());
        }
    }
}
