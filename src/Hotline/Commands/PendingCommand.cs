using System.CommandLine;
using System.Text.Json;

namespace Hotline.Cli.Commands;

internal static class PendingCommand
{
    public static Command Create()
    {
        var command = new Command("pending", "What is not yet acknowledged, both directions, with time left or overdue by.");
        command.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            using var api = ApiClient.For(folder);
            var p = await api.GetAsync("/api/pending", ct);
            Print("Waiting for us to acknowledge", p.GetProperty("awaitingUs"));
            Print("Waiting for the other side", p.GetProperty("awaitingThem"));
            return 0;
        });
        return command;
    }

    private static void Print(string title, JsonElement items)
    {
        Console.WriteLine($"{title} ({items.GetArrayLength()})");
        foreach (var i in items.EnumerateArray())
        {
            Console.WriteLine("  " + Format(i));
        }
    }

    internal static string Format(JsonElement i)
    {
        var m = i.GetProperty("message");
        var left = i.GetProperty("secondsLeft").GetDouble();
        var when = left >= 0 ? $"{Span(left)} left" : $"OVERDUE by {Span(-left)}";
        var line = $"{m.GetProperty("dtg").GetString()}  {m.GetProperty("precedence").GetString(),-9} {m.GetProperty("channel").GetString(),-12} "
            + $"{i.GetProperty("peerName").GetString()}  {m.GetProperty("state").GetString(),-9} {when,-22} {m.GetProperty("id").GetString()}";
        if (i.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String)
        {
            line += $"\n      {i.GetProperty("fault").GetString()?.ToUpperInvariant()}: {reason.GetString()}";
        }
        return line;
    }

    private static string Span(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:00}s" : $"{t.Seconds}s";
    }
}
