using System.CommandLine;
using Hotline.Core.Catalog;
using Hotline.Core.Messages;
using Hotline.Node.Hosting;

namespace Hotline.Cli.Commands;

internal static class InitCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "The node's name as the other side will see it.", Required = true };
        var link = new Option<string>("--link-listen") { Description = "Address the link listens on.", DefaultValueFactory = _ => "127.0.0.1:7443" };
        var advertise = new Option<string[]>("--advertise")
        {
            Description = "Link address(es) for the pairing card, in order of preference (default: https://<link-listen>).",
            AllowMultipleArgumentsPerToken = true,
        };
        var api = new Option<string>("--api-listen") { Description = "Address the operator API listens on.", DefaultValueFactory = _ => "127.0.0.1:7080" };
        var channels = new Option<string[]>("--channels")
        {
            Description = "Channels this node offers.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [.. Channels.Defaults],
        };
        var language = new Option<string>("--language")
        {
            Description = "The language this node reads catalog messages in and tags free text with: ko, zh or en.",
            DefaultValueFactory = _ => "en",
        };
        var command = new Command("init", "Create a new node: identity key, link certificate, database, settings and API token.")
        {
            name, link, advertise, api, channels, language,
        };
        command.SetAction(r =>
        {
            var folder = CommonOptions.Folder(r);
            var linkListen = r.GetValue(link)!;
            var apiListen = r.GetValue(api)!;
            Validate(linkListen, "--link-listen");
            Validate(apiListen, "--api-listen");
            var adverts = r.GetValue(advertise) is { Length: > 0 } a ? a : [$"https://{linkListen}"];
            foreach (var ad in adverts)
            {
                if (!Uri.TryCreate(ad, UriKind.Absolute, out var u) || u.Scheme != "https")
                {
                    throw new CliError($"--advertise '{ad}' is not an https:// address (for example https://203.0.113.5:7443)", 2);
                }
            }
            var chans = r.GetValue(channels)!.SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct().ToArray();
            if (chans.Length == 0 || chans.Any(c => !Channels.IsValidName(c)))
            {
                throw new CliError("--channels takes lowercase names of letters, digits, '-' and '_' (for example ministerial navy air)", 2);
            }
            var lang = CatalogLanguages.Normalize(r.GetValue(language)!)
                ?? throw new CliError($"--language '{r.GetValue(language)}' is not supported: use ko, zh or en", 2);
            try
            {
                folder.Initialise(new NodeConfig
                {
                    Name = r.GetValue(name)!.Trim(),
                    Link = new LinkConfig { Listen = linkListen, Advertise = adverts },
                    Api = new ApiConfig { Listen = apiListen },
                    Channels = chans,
                    Language = lang,
                });
            }
            catch (InvalidOperationException e)
            {
                throw new CliError(e.Message);
            }
            var card = folder.CreateCard(folder.LoadConfig());
            Console.WriteLine($"Initialised node '{card.Name}' in {folder.Path}");
            Console.WriteLine($"  identity   {card.Key.Id}");
            Console.WriteLine($"  fingerprint {card.Fingerprint}");
            Console.WriteLine($"  link       {linkListen} (advertised as {string.Join(", ", adverts)})");
            Console.WriteLine($"  api        {apiListen}");
            Console.WriteLine($"Next: 'hotline card export --data {folder.Path} --out CARD.json' and hand the card to the other side.");
            return 0;
        });
        return command;
    }

    private static void Validate(string endpoint, string option)
    {
        try
        {
            HotlineHost.ParseEndpoint(endpoint);
        }
        catch (FormatException e)
        {
            throw new CliError($"{option}: {e.Message}", 2);
        }
    }
}
