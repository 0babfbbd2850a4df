using System.CommandLine;
using System.Text.Json;
using Hotline.Core.Pairing;
using Hotline.Node.Apis;
using Hotline.Node.Link;
using Hotline.Storage.Sqlite;

namespace Hotline.Cli.Commands;

internal static class PeerCommand
{
    public static Command Create()
    {
        var cardFile = new Argument<string>("CARD") { Description = "The other side's pairing card file." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask to confirm the fingerprint (it has been checked already)." };
        var add = new Command("add", "Pin a peer from its pairing card, after checking its fingerprint.") { cardFile, yes };
        add.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            var path = r.GetValue(cardFile)!;
            if (!File.Exists(path))
            {
                throw new CliError($"no card file at {path}: give the path of the card the other side exported");
            }
            var parsed = PairingCard.Parse(await File.ReadAllTextAsync(path, ct));
            if (parsed.Card is not { } card)
            {
                throw new CliError($"{path} is a malformed card: {parsed.Error}. Ask the other side for a fresh 'hotline card export'");
            }
            Console.WriteLine($"Peer        {card.Name}");
            Console.WriteLine($"Fingerprint {card.Fingerprint}");
            Console.WriteLine($"Channels    {string.Join(", ", card.Channels)}");
            Console.WriteLine($"Endpoints   {string.Join(", ", card.Endpoints)}");
            Console.WriteLine($"Catalog     {card.CatalogVersion ?? "(not stated)"}");
            if (LinkPolicy.CatalogMismatch(card.CatalogVersion) is { } mismatch)
            {
                Console.Error.WriteLine($"warning: {mismatch}. Agree on one catalog version with the other side.");
            }
            if (!r.GetValue(yes))
            {
                if (Console.IsInputRedirected)
                {
                    throw new CliError("confirm the fingerprint with the other side, then run again with --yes");
                }
                Console.Write("Does this fingerprint match the one the other side read aloud? [y/N] ");
                if (!string.Equals(Console.ReadLine()?.Trim(), "y", StringComparison.OrdinalIgnoreCase))
                {
                    throw new CliError("not added: the fingerprint was not confirmed");
                }
            }
            if (ApiClient.TryReadRuntime(folder) is not null)
            {
                using var api = ApiClient.For(folder);
                await api.PostAsync("/api/peers", new AddPeerRequest(card.ToJson()), ct);
            }
            else
            {
                using var identity = folder.LoadIdentity();
                if (card.Key.Equals(identity.PublicKey))
                {
                    throw new CliError("this is this node's own card: add the other side's card");
                }
                await using var store = SqliteStore.Open(folder.DatabaseFile, identity);
                if (store.ListPeers().FirstOrDefault(p => p.TlsSha256 == card.TlsCertificateSha256 && !p.Key.Equals(card.Key)) is { } holder)
                {
                    throw new CliError($"the card's TLS certificate is already pinned for peer '{holder.Name}': ask the other side for a fresh card from its own node");
                }
                await store.AddPeerAsync(PeerRecords.FromCard(card, DateTimeOffset.UtcNow), ct);
            }
            Console.WriteLine($"Peer '{card.Name}' ({card.Key.Id}) added. The link carries traffic once the other side has added this node too.");
            return 0;
        });

        var list = new Command("list", "List paired peers and the state of each link.");
        list.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            if (ApiClient.TryReadRuntime(folder) is null)
            {
                using var identity = folder.LoadIdentity();
                await using var store = SqliteStore.Open(folder.DatabaseFile, identity);
                foreach (var p in store.ListPeers())
                {
                    Console.WriteLine($"{p.Id}  {p.Name,-36} (node not running)  channels: {string.Join(",", p.Channels)}");
                }
                return 0;
            }
            using var api = ApiClient.For(folder);
            foreach (var p in (await api.GetAsync("/api/peers", ct)).EnumerateArray())
            {
                Console.WriteLine(Format(p));
            }
            return 0;
        });
        return new Command("peer", "Paired peers.") { add, list, PeerEndpointsCommand.Create() };
    }

    internal static string Format(JsonElement p)
    {
        var rtt = p.TryGetProperty("roundTripMs", out var r) && r.ValueKind == JsonValueKind.Number ? $" rtt {r.GetDouble():0.0} ms" : "";
        var path = p.TryGetProperty("pathIndex", out var pi) && pi.ValueKind == JsonValueKind.Number ? $" path #{pi.GetInt32()}" : "";
        var via = p.TryGetProperty("endpoint", out var e) && e.ValueKind == JsonValueKind.String ? $"{path} via {e.GetString()}" : "";
        var degraded = p.TryGetProperty("degradedCause", out var dc) && dc.ValueKind == JsonValueKind.String ? $" ({dc.GetString()})" : "";
        var err = p.TryGetProperty("lastError", out var le) && le.ValueKind == JsonValueKind.String ? $" ({le.GetString()})" : "";
        return $"{p.GetProperty("id").GetString()}  {p.GetProperty("name").GetString(),-36} {p.GetProperty("state").GetString()!.ToUpperInvariant()}{degraded}{via}{rtt}{err}"
            + $"  out {p.GetProperty("outbound")} (undelivered {p.GetProperty("undelivered")}), in {p.GetProperty("inbound")}";
    }
}
