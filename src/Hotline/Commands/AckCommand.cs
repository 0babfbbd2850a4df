using System.CommandLine;

namespace Hotline.Cli.Commands;

internal static class AckCommand
{
    public static Command Create()
    {
        var id = new Argument<Guid>("ID") { Description = "The id of the received message." };
        var reply = new Option<string?>("--reply") { Description = "A short reply that travels with the acknowledgement." };
        var command = new Command("ack", "Acknowledge a received message, as the duty officer; the sender sees who and when.") { id, reply, CommonOptions.As };
        command.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            using var api = ApiClient.For(folder, actor: CommonOptions.Actor(r));
            var m = await api.PostAsync($"/api/messages/{r.GetValue(id)}/ack", new { reply = r.GetValue(reply) }, ct);
            Console.WriteLine($"acknowledged {m.GetProperty("id").GetString()} ({m.GetProperty("precedence").GetString()} {m.GetProperty("dtg").GetString()}) by {m.GetProperty("acknowledgedBy").GetString()}");
            return 0;
        });
        return command;
    }
}
