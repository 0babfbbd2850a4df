namespace Hotline.Storage.Transcript;

/// <summary>One row exactly as stored. The typed getters return null when the value is missing or of another type.</summary>
/// <param name="columns">Each column's place in <paramref name="values"/>, shared by the rows of one query.</param>
public sealed class RawRow(IReadOnlyDictionary<string, int> columns, object?[] values)
{
    public object? this[string column] => columns.TryGetValue(column, out var i) ? values[i] : null;

    public long? Long(string column) => this[column] as long?;

    public string? Text(string column) => this[column] as string;

    public byte[]? Blob(string column) => this[column] as byte[];

    public bool IsNull(string column) => this[column] is null;
}
