using Hotline.Node.Messaging;
using Hotline.Storage;
using Microsoft.Extensions.Logging;

namespace Hotline.Node.Link;

/// <summary>Records a security event three ways: the log, the store, and the live event stream.</summary>
public sealed class SecurityLog(IHotlineStore store, EventHub events, TimeProvider time, ILogger<SecurityLog> logger)
{
    public const string UnknownCertificate = "unknown-certificate";
    public const string BadSignature = "bad-signature";
    public const string BadReceipt = "bad-receipt";
    public const string BadHello = "bad-hello";
    public const string PolicyViolation = "policy-violation";
    public const string BadEnvelope = "bad-envelope";
    public const string Conflict = "conflicting-envelope";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _lastByKey = new();

    /// <summary>
    /// Records at most one event per <paramref name="key"/> a minute, so that anyone who can reach
    /// the link port cannot flood the log and the store.
    /// </summary>
    public void RecordThrottled(string kind, string key, string detail)
    {
        var now = time.GetUtcNow();
        if (_lastByKey.TryGetValue(key, out var last) && now - last < TimeSpan.FromMinutes(1))
        {
            return;
        }
        if (_lastByKey.Count > 10_000)
        {
            _lastByKey.Clear();
        }
        _lastByKey[key] = now;
        Record(kind, detail);
    }

    public void Record(string kind, string detail)
    {
        Log.SecurityEvent(logger, kind, detail);
        events.Publish(new NodeEvent { Type = EventTypes.Security, At = time.GetUtcNow(), Detail = $"{kind}: {detail}" });
        _ = RecordAsync(kind, detail);
    }

    private async Task RecordAsync(string kind, string detail)
    {
        try
        {
            await store.RecordSecurityEventAsync(kind, detail);
        }
        catch (ObjectDisposedException)
        {
            // Shutting down; the log line above still stands.
        }
    }
}
