namespace Hotline.Storage.Transcript;

/// <summary>One thing wrong in the store: which table, which row or entry, and what.</summary>
public sealed record StoreProblem(string Table, string Where, string What)
{
    public override string ToString() => $"{Table}: {Where}: {What}";
}
