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
            var overdue = s.GetProperty("overdue");
            Console.WriteLine($"Overdue ({overdue.GetArrayLength()})");
            foreach (var i in overdue.EnumerateArray())
            {
                Console.WriteLine("  " + PendingCommand.Format(i));
            }
            var alarms = s.GetProperty("alarms");
            if (alarms.GetArrayLength() > 0)
            {
                Console.WriteLine($"Open alarms ({alarms.GetArrayLength()})");
                foreach (var a in alarms.EnumerateArray())
                {
                    Console.WriteLine($"  #{a.GetProperty("id")} {a.GetProperty("kind").GetString()} message {a.GetProperty("messageId").GetString()} step {a.GetProperty("step")} raised {a.GetProperty("raisedAt").GetDateTimeOffset():u}");
                }
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
