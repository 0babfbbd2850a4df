using System.CommandLine;

namespace Hotline.Cli.Commands;

internal static class CheckpointCommand
{
    public static Command Create()
    {
        var peer = new Option<string>("--peer") { Description = "The peer to co-sign a checkpoint with (name, id, or a unique prefix).", Required = true };
        var command = new Command("checkpoint", "Co-sign a checkpoint of the transcript with a peer now (the node must be running and the link up).") { peer };
        command.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            using var api = ApiClient.For(folder, timeout: TimeSpan.FromSeconds(120));
            var c = await api.PostAsync($"/api/peers/{Uri.EscapeDataString(r.GetValue(peer)!)}/checkpoint", new { }, ct);
            Console.WriteLine($"checkpoint {c.GetProperty("id")} co-signed: out 1–{c.GetProperty("outbound")}, in 1–{c.GetProperty("inbound")}, "
                + $"root {c.GetProperty("root").GetString()}");
            return 0;
        });
        return command;
    }
}
