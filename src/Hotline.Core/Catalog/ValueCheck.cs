namespace Hotline.Core.Catalog;

/// <summary>One value checked against its type: the normalised form, or what is wrong with it.</summary>
internal readonly record struct ValueCheck(string? Value, string? Error)
{
    public static ValueCheck Ok(string value) => new(value, null);
    public static ValueCheck Fail(string error) => new(null, error);
}
