using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.Node.Hosting;

namespace Hotline.Cli;

/// <summary>Talks to a running node's operator API with the token from its data folder.</summary>
public sealed class ApiClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;

    private ApiClient(HttpClient http) => _http = http;

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>Connects to the node of <paramref name="folder"/>, or explains how to start it.</summary>
    public static ApiClient For(DataFolder folder, TimeSpan? timeout = null, string? actor = null)
    {
        var info = TryReadRuntime(folder)
            ?? throw new CliError($"the node in {folder.Path} is not running: start it with 'hotline serve --data {folder.Path}'");
        var http = new HttpClient { BaseAddress = new Uri(info.ApiUrl), Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", folder.LoadToken());
        if (actor is not null)
        {
            http.DefaultRequestHeaders.Add("X-Hotline-Operator", actor);
        }
        return new ApiClient(http);
    }

    public static RuntimeInfo? TryReadRuntime(DataFolder folder)
    {
        try
        {
            return JsonSerializer.Deserialize<RuntimeInfo>(File.ReadAllText(folder.RuntimeFile), Json);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public Task<JsonElement> GetAsync(string path, CancellationToken ct = default) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<JsonElement> PostAsync(string path, object body, CancellationToken ct = default) => SendAsync(HttpMethod.Post, path, body, ct);

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e) when (e.InnerException is System.Net.Sockets.SocketException || e.StatusCode is null)
        {
            throw new CliError($"the node at {BaseAddress} is not answering ({e.Message}): start it with 'hotline serve'");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            var json = text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default;
            if (!response.IsSuccessStatusCode)
            {
                throw new CliError(Describe(response.StatusCode, json));
            }
            return json;
        }
    }

    public Task<Stream> OpenEventsAsync(CancellationToken ct) => _http.GetStreamAsync("/api/events", ct);

    public HttpClient Http => _http;

    private static string Describe(HttpStatusCode status, JsonElement problem)
    {
        if (problem.ValueKind != JsonValueKind.Object)
        {
            return $"the node answered {(int)status} {status}";
        }
        var title = problem.TryGetProperty("title", out var t) ? t.GetString() : status.ToString();
        var fix = problem.TryGetProperty("fix", out var f) ? f.GetString() : null;
        return fix is null ? title! : $"{title}. {fix}";
    }

    public void Dispose() => _http.Dispose();
}
