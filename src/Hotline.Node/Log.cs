using Microsoft.Extensions.Logging;

namespace Hotline.Node;

/// <summary>
/// Every log line of the node, with its event id. Never log message text, keys, tokens or passwords.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Node {Name} ({Id}) link on {LinkUrl}, operator API on {ApiUrl}")]
    public static partial void NodeStarted(ILogger logger, string name, string id, string linkUrl, string apiUrl);

    [LoggerMessage(1001, LogLevel.Debug, "Quiet after a busy spell: memory given back, working set {BeforeMb} MB -> {AfterMb} MB")]
    public static partial void MemoryTrimmed(ILogger logger, long beforeMb, long afterMb);

    [LoggerMessage(1100, LogLevel.Information, "Link to {Peer} up via {Endpoint} (dialled by {Dialer})")]
    public static partial void LinkUp(ILogger logger, string peer, string endpoint, string dialer);

    [LoggerMessage(1101, LogLevel.Information, "Link to {Peer} down: {Reason}")]
    public static partial void LinkDown(ILogger logger, string peer, string reason);

    [LoggerMessage(1102, LogLevel.Debug, "Dial {Peer} at {Endpoint} failed: {Reason}")]
    public static partial void DialFailed(ILogger logger, string peer, string endpoint, string reason);

    [LoggerMessage(1103, LogLevel.Debug, "Session with {Peer} refused: {Reason}")]
    public static partial void SessionRefused(ILogger logger, string peer, string reason);

    [LoggerMessage(1104, LogLevel.Error, "Session with {Peer} failed")]
    public static partial void SessionFailed(ILogger logger, Exception e, string peer);

    [LoggerMessage(1200, LogLevel.Warning, "SECURITY {Kind}: {Detail}")]
    public static partial void SecurityEvent(ILogger logger, string kind, string detail);

    [LoggerMessage(1105, LogLevel.Warning, "Message catalog differs on the link to {Peer}: {Detail}")]
    public static partial void CatalogMismatch(ILogger logger, string peer, string detail);
}
