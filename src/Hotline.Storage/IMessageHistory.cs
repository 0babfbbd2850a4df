namespace Hotline.Storage;

/// <summary>The most recent messages, for screens that show the latest traffic first.</summary>
public interface IMessageHistory
{
    /// <summary>The last <paramref name="limit"/> messages (not seen/acknowledgement envelopes), oldest first.</summary>
    IReadOnlyList<StoredMessage> ListLatest(int limit, string? channel = null);

    /// <summary>Translations of the given messages and the certifications of those translations, of both directions, in order.</summary>
    IReadOnlyList<StoredMessage> ListTranslations(IReadOnlyCollection<Guid> messageIds);
}
