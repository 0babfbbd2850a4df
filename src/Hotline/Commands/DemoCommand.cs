using System.CommandLine;
using Hotline.Cli.Demo;
using Hotline.Node.Users;

namespace Hotline.Cli.Commands;

internal static class DemoCommand
{
    public static Command Create()
    {
        var check = new Option<bool>("--check") { Description = "Run headless: 100 messages each way while one node is killed and restarted; exit 0 only if all arrive once, in order." };
        var keep = new Option<bool>("--keep") { Description = "Keep the demo's data folder when it ends." };
        var command = new Command("demo", "Create, pair and run two nodes (Seoul and Beijing) on loopback.") { check, keep };
        command.SetAction(async (r, ct) =>
        {
            var root = Path.Combine(Path.GetTempPath(), $"hotline-demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
            var ok = false;
            try
            {
                await using var pair = await NodePair.CreateAsync(root, "ROK Ministry of National Defense", "PRC Ministry of National Defense", ct);
                Console.WriteLine($"Seoul   fingerprint {pair.CardA.Fingerprint}");
                Console.WriteLine($"Beijing fingerprint {pair.CardB.Fingerprint}");
                await NodePair.AddUserAsync(pair.A.Folder, SeoulUser, [Roles.WatchOfficer], DemoPassword, ct);
                await NodePair.AddUserAsync(pair.B.Folder, BeijingUser, [Roles.WatchOfficer], DemoPassword, ct);
                await pair.StartAsync(ct);
                using var seoul = ApiClient.For(pair.A.Folder);
                using var beijing = ApiClient.For(pair.B.Folder);
                Console.WriteLine("Link up. Inaugural exchange:");
                await seoul.PostAsync("/api/messages", new { peer = pair.CardB.Name, channel = "ministerial", text = "Seoul to Beijing: the defence hotline is open. Please confirm you read this message." }, ct);
                await WaitDeliveredAsync(seoul, ct);
                await beijing.PostAsync("/api/messages", new { peer = pair.CardA.Name, channel = "ministerial", text = "Beijing to Seoul: message received and read. The hotline is open on our side." }, ct);
                await WaitDeliveredAsync(beijing, ct);
                foreach (var (api, who) in new[] { (beijing, "Beijing"), (seoul, "Seoul") })
                {
                    var names = new Dictionary<string, string> { [pair.CardA.Key.Id] = "Seoul", [pair.CardB.Key.Id] = "Beijing" };
                    foreach (var m in await NodePair.ListAsync(api, "in", ct))
                    {
                        Console.WriteLine($"  at {who}: {InboxCommand.Format(m, names)}");
                    }
                }
                await CatalogExchangeAsync(seoul, beijing, pair, ct);
                if (r.GetValue(check))
                {
                    ok = await DemoCheck.RunAsync(pair, seoul, beijing, ct);
                    return ok ? 0 : 1;
                }
                Print("Seoul", pair.A, seoul);
                Print("Beijing", pair.B, beijing);
                Console.WriteLine("Consoles (open in a browser; a watch officer on each side, demo passwords):");
                Console.WriteLine($"  Seoul   {seoul.BaseAddress}  sign in as {SeoulUser} / {DemoPassword}");
                Console.WriteLine($"  Beijing {beijing.BaseAddress}  sign in as {BeijingUser} / {DemoPassword}");
                Console.WriteLine($"Try: hotline inbox --follow --data {pair.B.Folder.Path}");
                Console.WriteLine($"     hotline send --data {pair.A.Folder.Path} --peer Beijing... --channel navy \"text\"  (peer by name prefix: 'PRC')");
                Console.WriteLine("Running until Ctrl+C.");
                ok = true;
                await Task.Delay(Timeout.Infinite, ct);
                return 0;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return 0;
            }
            finally
            {
                if (!r.GetValue(keep) && (ok || r.GetValue(check)))
                {
                    TryDelete(root);
                }
                else
                {
                    Console.WriteLine($"Data kept in {root}");
                }
            }
        });
        return command;
    }

    public const string SeoulUser = "seoul.watch";
    public const string BeijingUser = "beijing.watch";
    /// <summary>Known on purpose: the demo runs on loopback with throwaway data.</summary>
    public const string DemoPassword = "hotline-demo";

    private static void Print(string who, NodeProcess node, ApiClient api)
    {
        Console.WriteLine($"{who,-8} API {api.BaseAddress}  token {node.Folder.LoadToken()}  data {node.Folder.Path}");
    }

    /// <summary>A standard message sent by Seoul and read by each side in its own language; Beijing translates a free-text message and certifies it.</summary>
    private static async Task CatalogExchangeAsync(ApiClient seoul, ApiClient beijing, NodePair pair, CancellationToken ct)
    {
        var sent = await seoul.PostAsync("/api/messages", new
        {
            peer = pair.CardB.Name,
            channel = "navy",
            precedence = "IMMEDIATE",
            template = "NAV-ALTER-STARBOARD",
            @params = new Dictionary<string, string> { ["our_ship"] = "DDG-991", ["course"] = "090" },
        }, ct);
        await WaitDeliveredAsync(seoul, ct);
        var id = sent.GetProperty("id").GetString();
        var inBeijing = await beijing.GetAsync($"/api/messages/{id}", ct);
        Console.WriteLine("Standard message NAV-ALTER-STARBOARD (travels as its id and values; each side reads it in its own language):");
        Console.WriteLine($"  at Seoul   (ko): {sent.GetProperty("text").GetString()}");
        Console.WriteLine($"  at Beijing (zh): {inBeijing.GetProperty("text").GetString()}");

        var free = await seoul.PostAsync("/api/messages", new { peer = pair.CardB.Name, channel = "ministerial", language = "ko", text = "내일 09시에 장관 통화를 요청합니다." }, ct);
        await WaitDeliveredAsync(seoul, ct);
        var freeId = free.GetProperty("id").GetString();
        using var translator = ApiClient.For(pair.B.Folder, actor: "Translator Wang");
        var translation = await translator.PostAsync($"/api/messages/{freeId}/translations", new { language = "zh", text = "请求明天09时部长通话。" }, ct);
        using var reviewer = ApiClient.For(pair.B.Folder, actor: "Lt Zhao");
        await reviewer.PostAsync($"/api/translations/{translation.GetProperty("id").GetString()}/certify", new { remark = "checked against the original" }, ct);
        await WaitDeliveredAsync(beijing, ct);
        Console.WriteLine("Free text with its translation (signed by Beijing, certified by a second person, held by both sides):");
        Console.WriteLine($"  original (ko):    {free.GetProperty("text").GetString()}");
        Console.WriteLine($"  translation (zh): {translation.GetProperty("text").GetString()}  by Translator Wang, certified by Lt Zhao");
    }

    internal static async Task WaitDeliveredAsync(ApiClient api, CancellationToken ct, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (await NodePair.UndeliveredAsync(api, ct) > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new CliError("messages were not delivered in time");
            }
            await Task.Delay(20, ct);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
