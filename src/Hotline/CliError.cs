namespace Hotline.Cli;

/// <summary>An expected failure: printed as one line naming the fix, exit code 1 (2 for usage).</summary>
public sealed class CliError(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
