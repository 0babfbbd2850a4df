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
        var text = new Argument<string>("TEXT") { Description = "The message text ('-' reads standard input)." };
        var command = new Command("send", "Send a message; returns once it is committed on this node.") { peer, channel, precedence, label, text };
        command.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            var body = r.GetValue(text)!;
            if (body == "-")
            {
                body = await Console.In.ReadToEndAsync(ct);
            }
            using var api = ApiClient.For(folder);
            var m = await api.PostAsync("/api/messages", new
            {
                peer = r.GetValue(peer),
                channel = r.GetValue(channel),
                precedence = r.GetValue(precedence),
                label = r.GetValue(label),
                text = body,
            }, ct);
            Console.WriteLine($"committed {m.GetProperty("id").GetString()}  seq {m.GetProperty("seq")}  {m.GetProperty("dtg").GetString()}  {m.GetProperty("precedence").GetString()}  {m.GetProperty("label").GetString()}");
            return 0;
        });
        return command;
    }
}
