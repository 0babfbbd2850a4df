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
