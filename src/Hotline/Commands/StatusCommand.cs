using System.CommandLine;

namespace Hotline.Cli.Commands;

internal static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "Show the node, its links and recent security events.");
        command.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            using var api = ApiClient.For(folder);
            var s = await api.GetAsync("/api/status", ct);
            Console.WriteLine($"Node        {s.GetProperty("name").GetString()} ({s.GetProperty("id").GetString()})");
            Console.WriteLine($"Fingerprint {s.GetProperty("fingerprint").GetString()}");
            Console.WriteLine($"Up          {TimeSpan.FromSeconds(Math.Round(s.GetProperty("uptimeSeconds").GetDouble()))}");
            Console.WriteLine("Peers");
            foreach (var p in s.GetProperty("peers").EnumerateArray())
            {
                Console.WriteLine("  " + PeerCommand.Format(p));
            }
            var events = s.GetProperty("securityEvents");
            if (events.GetArrayLength() > 0)
            {
                Console.WriteLine("Security events (newest first)");
                foreach (var e in events.EnumerateArray())
                {
                    Console.WriteLine($"  {e.GetProperty("at").GetDateTimeOffset():u}  {e.GetProperty("kind").GetString()}  {e.GetProperty("detail").GetString()}");
                }
            }
            return 0;
        });
        return command;
    }
}
