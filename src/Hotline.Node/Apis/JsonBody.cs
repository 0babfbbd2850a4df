using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Hotline.Node.Apis;

/// <summary>
/// Reads the JSON body of the send endpoints, the requests a flood is made of: a body of known
/// length is gathered into one pooled buffer and parsed in one pass, where the framework's binding
/// parses as the bytes come and pays for it on every request (a state machine, and a boxed
/// comparison by reflection when it ends). A chunked or large body goes the framework's way.
/// </summary>
internal static class JsonBody
{
    private const int MaxGathered = 1 << 20;

    /// <summary>The body as <typeparamref name="T"/>, or the problem that answers it (415, 400) when it is not one.</summary>
    public static async ValueTask<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> info, CancellationToken ct)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problems.Of(415, "send the body as application/json", "Set 'Content-Type: application/json'."));
        }
        T? value;
        try
        {
            value = request.ContentLength is long length and <= MaxGathered
                ? await GatherAsync(request, (int)length, info, ct)
                : await request.ReadFromJsonAsync(info, ct);
        }
        catch (JsonException e)
        {
            return (null, Problems.Of(400, "the body is not valid JSON for this request", $"Fix the JSON ({e.Message}); see docs/operations.md for the operator API."));
        }
        return value is null
            ? (null, Problems.Of(400, "the body is empty", "Send the request as a JSON object; see docs/operations.md for the operator API."))
            : (value, null);
    }

    private static async ValueTask<T?> GatherAsync<T>(HttpRequest request, int length, JsonTypeInfo<T> info, CancellationToken ct)
    {
        if (length == 0)
        {
            return default;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var filled = 0;
            var reader = request.BodyReader;
            while (true)
            {
                var read = await reader.ReadAsync(ct);
                foreach (var segment in read.Buffer)
                {
                    var take = Math.Min(segment.Length, length - filled);
                    segment.Span[..take].CopyTo(buffer.AsSpan(filled));
                    filled += take;
                }
                reader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted || filled == length)
                {
                    break;
                }
            }
            return JsonSerializer.Deserialize(buffer.AsSpan(0, filled), info);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
