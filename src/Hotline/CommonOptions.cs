using System.CommandLine;
using Hotline.Node.Hosting;

namespace Hotline.Cli;

internal static class CommonOptions
{
    public static readonly Option<string?> Data = new("--data", "-d")
    {
        Description = "The node's data folder (default: $HOTLINE_DATA).",
        Recursive = true,
    };

    public static readonly Option<string?> As = new("--as")
    {
        Description = "Your name or call sign, recorded with what you do (default: your login name).",
    };

    public static string Actor(ParseResult result) => result.GetValue(As) ?? Environment.UserName;

    public static DataFolder Folder(ParseResult result)
    {
        var path = result.GetValue(Data) ?? Environment.GetEnvironmentVariable("HOTLINE_DATA");
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new CliError("no data folder: pass --data DIR or set HOTLINE_DATA", 2);
        }
        return new DataFolder(path);
    }

    public static DataFolder InitialisedFolder(ParseResult result)
    {
        var folder = Folder(result);
        if (!folder.IsInitialised)
        {
            throw new CliError($"{folder.Path} holds no Hotline node: run 'hotline init --name NAME --data {folder.Path}' first");
        }
        return folder;
    }
}
