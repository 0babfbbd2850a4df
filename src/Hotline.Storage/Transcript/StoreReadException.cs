namespace Hotline.Storage.Transcript;

/// <summary>The database cannot be read; the message says what to do.</summary>
public sealed class StoreReadException(string message) : Exception(message);
