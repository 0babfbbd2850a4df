using System.CommandLine;
using Hotline.Node.Apis;
using Hotline.Node.Link;
using Hotline.Storage.Sqlite;

namespace Hotline.Cli.Commands;

/// <summary><c>hotline peer endpoints PEER [URL...]</c>: show or replace the addresses dialled for a peer, in order of preference.</summary>
internal static class PeerEndpointsCommand
{
    public static Command Create()
    {
        var peer = new Argument<string>("PEER") { Description = "The peer's name or id." };
        var urls = new Argument<string[]>("URL") { Description = "The peer's link addresses, most preferred first (e.g. fibre, then satellite). None: show them.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("endpoints", "Show or replace a peer's endpoints, in order of preference; the link fails over down the list and back.") { peer, urls };
        command.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            var name = r.GetValue(peer)!;
            var list = r.GetValue(urls) ?? [];
            IReadOnlyList<string> result;
            if (ApiClient.TryReadRuntime(folder) is not null)
            {
                using var api = ApiClient.For(folder);
                if (list.Length == 0)
                {
                    var peers = await api.GetAsync("/api/peers", ct);
                    var p = peers.EnumerateArray().FirstOrDefault(x => Matches(x.GetProperty("id").GetString()!, x.GetProperty("name").GetString()!, name));
                    if (p.ValueKind == System.Text.Json.JsonValueKind.Undefined)
                    {
                        throw new CliError($"unknown peer '{name}': see 'hotline peer list'");
                    }
                    result = p.GetProperty("endpoints").EnumerateArray().Select(e => e.GetString()!).ToArray();
                }
                else
                {
                    var answer = await api.SendAsync(HttpMethod.Put, $"/api/peers/{Uri.EscapeDataString(name)}/endpoints", new EndpointsRequest(list), ct);
                    result = answer.GetProperty("endpoints").EnumerateArray().Select(e => e.GetString()!).ToArray();
                }
            }
            else
            {
                using var identity = folder.LoadIdentity();
                await using var store = SqliteStore.Open(folder.DatabaseFile, identity);
                var directory = new PeerDirectory(store);
                directory.Reload();
                var p = directory.Resolve(name) ?? throw new CliError($"unknown peer '{name}': see 'hotline peer list'");
                if (list.Length > 0)
                {
                    if (PeerDirectory.CheckEndpoints(list) is { } error)
                    {
                        throw new CliError($"{error}: write each endpoint as https://HOST:PORT", 2);
                    }
                    p = await directory.SetEndpointsAsync(p.Id, list, ct);
                }
                result = p!.Endpoints;
            }
            for (var i = 0; i < result.Count; i++)
            {
                Console.WriteLine($"#{i}  {result[i]}");
            }
            return 0;
        });
        return command;
    }

    private static bool Matches(string id, string name, string text) =>
        string.Equals(id, text, StringComparison.OrdinalIgnoreCase) || string.Equals(name, text, StringComparison.OrdinalIgnoreCase)
        || id.StartsWith(text, StringComparison.OrdinalIgnoreCase) || name.StartsWith(text, StringComparison.OrdinalIgnoreCase);
}
