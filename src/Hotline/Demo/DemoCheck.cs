using System.Text.Json;
using Hotline.Cli.Commands;

namespace Hotline.Cli.Demo;

/// <summary>
/// The headless demo check: 100 messages each way, Beijing killed (SIGKILL) half-way and
/// restarted; then every message must be on the other side once, in order.
/// </summary>
internal static class DemoCheck
{
    private const int PerSide = 100;

    public static async Task<bool> RunAsync(NodePair pair, ApiClient seoul, ApiClient beijing, CancellationToken ct)
    {
        var toBeijing = pair.CardB.Name;
        var toSeoul = pair.CardA.Name;
        for (var i = 1; i <= PerSide / 2; i++)
        {
            await seoul.PostAsync("/api/messages", Message(toBeijing, "S", i), ct);
            await beijing.PostAsync("/api/messages", Message(toSeoul, "B", i), ct);
        }
        Console.WriteLine($"check: killing Beijing (pid {pair.B.Pid}) with SIGKILL");
        await pair.B.KillAsync();
        for (var i = PerSide / 2 + 1; i <= PerSide; i++)
        {
            await seoul.PostAsync("/api/messages", Message(toBeijing, "S", i), ct);
        }
        await pair.B.StartAsync(ct);
        Console.WriteLine("check: Beijing restarted");
        using var beijing2 = ApiClient.For(pair.B.Folder);
        for (var i = PerSide / 2 + 1; i <= PerSide; i++)
        {
            await beijing2.PostAsync("/api/messages", Message(toSeoul, "B", i), ct);
        }
        await DemoCommand.WaitDeliveredAsync(seoul, ct);
        await DemoCommand.WaitDeliveredAsync(beijing2, ct);
        var atBeijing = Tally(await NodePair.ListAsync(beijing2, "in", ct), "S");
        var atSeoul = Tally(await NodePair.ListAsync(seoul, "in", ct), "B");
        var delivered = atBeijing.Delivered + atSeoul.Delivered;
        var duplicated = atBeijing.Duplicated + atSeoul.Duplicated;
        var outOfOrder = atBeijing.OutOfOrder + atSeoul.OutOfOrder;
        Console.WriteLine($"demo check: {delivered}/{2 * PerSide} delivered, {duplicated} duplicated, {outOfOrder} out of order");
        return delivered == 2 * PerSide && duplicated == 0 && outOfOrder == 0;
    }

    private static object Message(string peer, string side, int i) =>
        new { peer, channel = "navy", text = $"check {side} {i:D3}" };

    private static (int Delivered, int Duplicated, int OutOfOrder) Tally(List<JsonElement> inbound, string side)
    {
        var numbers = inbound
            .OrderBy(m => m.GetProperty("position").GetInt64())
            .Select(m => m.GetProperty("text").GetString()!)
            .Where(t => t.StartsWith($"check {side} ", StringComparison.Ordinal))
            .Select(t => int.Parse(t[8..], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        var outOfOrder = numbers.Zip(numbers.Skip(1)).Count(p => p.Second <= p.First);
        return (numbers.Distinct().Count(), numbers.Count - numbers.Distinct().Count(), outOfOrder);
    }
}
