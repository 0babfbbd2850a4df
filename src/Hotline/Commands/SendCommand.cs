using System.CommandLine;

namespace Hotline.Cli.Commands;

internal static class SendCommand
{
    public static Command Create()
    {
        var peer = new Option<string>("--peer") { Description = "The peer's name or id.", Required = true };
        var channel = new Option<string>("--channel") { Description = "The channel, e.g. ministerial, navy, air.", Required = true };
        var precedence = new Option<string?>("--precedence") { Description = "FLASH, IMMEDIATE, PRIORITY or ROUTINE (default)." };
        var label = new Option<string?>("--label") { Description = "Confidentiality label, e.g. 'UNCLASSIFIED//HOTLINE' (default: the link's first agreed label)." };
        var language = new Option<string?>("--lang") { Description = "BCP 47 language of the text, e.g. ko, zh, en (default: the node's language)." };
        var template = new Option<string?>("--template") { Description = "Send a standard catalog message by its id ('hotline catalog list') instead of text." };
        var param = new Option<string[]>("--param")
        {
            Description = "A value of the catalog message, NAME=VALUE (repeat for each parameter).",
            AllowMultipleArgumentsPerToken = false,
        };
        var text = new Argument<string?>("TEXT") { Description = "The message text ('-' reads standard input); leave out with --template.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("send", "Send a message; returns once it is committed on this node.")
        {
            peer, channel, precedence, label, language, template, param, text,
        };
        command.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            var body = r.GetValue(text);
            if (body == "-")
            {
                body = await Console.In.ReadToEndAsync(ct);
            }
            var id = r.GetValue(template);
            if (id is null && body is null)
            {
                throw new CliError("give the message TEXT, or --template ID with its --param NAME=VALUE", 2);
            }
            var values = Params(r.GetValue(param) ?? []);
            if (id is null && values.Count > 0)
            {
                throw new CliError("--param belongs to a catalog message: add --template ID", 2);
            }
            using var api = ApiClient.For(folder);
            var m = await api.PostAsync("/api/messages", new
            {
                peer = r.GetValue(peer),
                channel = r.GetValue(channel),
                precedence = r.GetValue(precedence),
                label = r.GetValue(label),
                language = r.GetValue(language),
                text = body,
                template = id,
                @params = id is null ? null : values,
            }, ct);
            Console.WriteLine($"committed {m.GetProperty("id").GetString()}  seq {m.GetProperty("seq")}  {m.GetProperty("dtg").GetString()}  {m.GetProperty("precedence").GetString()}  {m.GetProperty("label").GetString()}");
            if (id is not null)
            {
                Console.WriteLine($"  {m.GetProperty("text").GetString()}");
            }
            return 0;
        });
        return command;
    }

    private static Dictionary<string, string> Params(IEnumerable<string> pairs)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw new CliError($"--param '{pair}' is not NAME=VALUE ('hotline catalog show ID' lists the names)", 2);
            }
            if (!values.TryAdd(pair[..eq].Trim(), pair[(eq + 1)..].Trim()))
            {
                throw new CliError($"--param {pair[..eq]} is given twice", 2);
            }
        }
        return values;
    }
}
