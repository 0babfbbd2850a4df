using System.Text.Json;
using Hotline.Storage;

namespace Hotline.Testing;

/// <summary>One message as seen on the receiving side.</summary>
public sealed record ReceivedRow(long Seq, long Position, string Channel, string Text)
{
    public static ReceivedRow From(StoredMessage m) => new(m.Envelope.Seq, m.Position, m.Envelope.Channel, m.Envelope.Text);

    /// <summary>From a message of <c>GET /api/messages</c>.</summary>
    public static ReceivedRow From(JsonElement m) => new(
        m.GetProperty("seq").GetInt64(), m.GetProperty("position").GetInt64(),
        m.GetProperty("channel").GetString()!, m.GetProperty("text").GetString()!);
}
