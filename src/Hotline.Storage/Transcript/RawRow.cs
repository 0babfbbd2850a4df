namespace Hotline.Storage.Transcript;

/// <summary>One row exactly as stored. The typed getters return null when the value is missing or of another type.</summary>
public sealed class RawRow(IReadOnlyDictionary<string, object?> values)
{
    public object? this[string column] => values.GetValueOrDefault(column);

    public long? Long(string column) => this[column] as long?;

    public string? Text(string column) => this[column] as string;

    public byte[]? Blob(string column) => this[column] as byte[];

    public bool IsNull(string column) => this[column] is null;
}
