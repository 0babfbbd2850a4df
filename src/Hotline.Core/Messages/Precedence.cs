namespace Hotline.Core.Messages;

/// <summary>Military precedence, lowest to highest. Higher goes first on the wire.</summary>
public enum Precedence
{
    Routine = 1,
    Priority = 2,
    Immediate = 3,
    Flash = 4,
}

public static class PrecedenceNames
{
    /// <summary>FLASH and IMMEDIATE: they travel in batches of their own and commit ahead of routine work (docs/protocol.md §7).</summary>
    public static bool IsUrgent(this Precedence p) => p >= Precedence.Immediate;

    public static string ToWire(this Precedence p) => p switch
    {
        Precedence.Routine => "ROUTINE",
        Precedence.Priority => "PRIORITY",
        Precedence.Immediate => "IMMEDIATE",
        Precedence.Flash => "FLASH",
        _ => throw new ArgumentOutOfRangeException(nameof(p)),
    };

    public static bool TryParse(string? text, out Precedence precedence)
    {
        precedence = Precedence.Routine;
        switch (text?.Trim().ToUpperInvariant())
        {
            case null or "" or "ROUTINE" or "R": precedence = Precedence.Routine; return true;
            case "PRIORITY" or "P": precedence = Precedence.Priority; return true;
            case "IMMEDIATE" or "O": precedence = Precedence.Immediate; return true;
            case "FLASH" or "Z": precedence = Precedence.Flash; return true;
            default: return false;
        }
    }
}
