namespace Hotline.Storage;

/// <summary>The most recent messages, for screens that show the latest traffic first.</summary>
public interface IMessageHistory
{
    /// <summary>The last <paramref name="limit"/> messages (not seen/acknowledgement envelopes), oldest first.</summary>
    IReadOnlyList<StoredMessage> ListLatest(int limit, string? channel = null);
}
