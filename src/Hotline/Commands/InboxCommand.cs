using System.CommandLine;
using System.Text.Json;

namespace Hotline.Cli.Commands;

internal static class InboxCommand
{
    public static Command Create()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing messages as they arrive." };
        var peer = new Option<string?>("--peer") { Description = "Only this peer." };
        var channel = new Option<string?>("--channel") { Description = "Only this channel." };
        var all = new Option<bool>("--all") { Description = "Show sent messages too." };
        var language = new Option<string?>("--lang") { Description = "Render catalog messages in ko, zh or en (default: the node's language)." };
        var command = new Command("inbox", "Show received messages; each one shown is reported to its sender as seen by you.") { follow, peer, channel, all, language, CommonOptions.As };
        command.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            using var api = ApiClient.For(folder, Timeout.InfiniteTimeSpan, CommonOptions.Actor(r));
            var names = (await api.GetAsync("/api/peers", ct)).EnumerateArray()
                .ToDictionary(p => p.GetProperty("id").GetString()!, p => p.GetProperty("name").GetString()!);
            var showAll = r.GetValue(all);
            var filters = new List<string>();
            if (r.GetValue(peer) is { } p0)
            {
                filters.Add("peer=" + Uri.EscapeDataString(p0));
            }
            if (r.GetValue(channel) is { } c0)
            {
                filters.Add("channel=" + Uri.EscapeDataString(c0));
            }
            if (r.GetValue(language) is { } lang)
            {
                filters.Add("lang=" + Uri.EscapeDataString(lang));
            }
            var query = string.Join('&', filters);
            long after = 0;
            while (true)
            {
                var page = await api.GetAsync($"/api/messages?after={after}&limit=1000&{query}", ct);
                var messages = page.GetProperty("messages");
                foreach (var m in messages.EnumerateArray())
                {
                    if (showAll || m.GetProperty("direction").GetString() == "in")
                    {
                        await ShowAsync(api, m, names, ct);
                    }
                }
                after = page.GetProperty("next").GetInt64();
                if (messages.GetArrayLength() < 1000)
                {
                    break;
                }
            }
            if (!r.GetValue(follow))
            {
                return 0;
            }
            await foreach (var (type, data) in Sse.ReadAsync(await api.OpenEventsAsync(ct), ct))
            {
                if (type == "message.received" && data.TryGetProperty("message", out var m))
                {
                    var p = r.GetValue(peer);
                    var c = r.GetValue(channel);
                    if ((c is null || m.GetProperty("channel").GetString() == c) && (p is null || names.GetValueOrDefault(m.GetProperty("peer").GetString()!) == p || m.GetProperty("peer").GetString() == p))
                    {
                        await ShowAsync(api, m, names, ct);
                    }
                }
            }
            return 0;
        });
        return command;
    }

    /// <summary>Prints a message; an inbound one not yet seen is then reported seen (a person has it on screen).</summary>
    private static async Task ShowAsync(ApiClient api, JsonElement m, IReadOnlyDictionary<string, string> names, CancellationToken ct)
    {
        Console.WriteLine(Format(m, names));
        if (m.GetProperty("direction").GetString() == "in" && m.GetProperty("state").GetString() == "delivered")
        {
            await api.PostAsync($"/api/messages/{m.GetProperty("id").GetString()}/seen", new { }, ct);
        }
    }

    internal static string Format(JsonElement m, IReadOnlyDictionary<string, string> names)
    {
        var peerId = m.GetProperty("peer").GetString()!;
        var who = names.GetValueOrDefault(peerId, peerId);
        var dir = m.GetProperty("direction").GetString() == "in" ? $"from {who}" : $"to {who} [{m.GetProperty("state").GetString()}]";
        var label = m.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.String ? $" [{l.GetString()}]" : "";
        var what = m.GetProperty("kind").GetString() switch
        {
            "translation" => $"translation ({Text(m, "language")}) by {Text(m, "actor")} of {Text(m, "reference")}: {Text(m, "text")}",
            "certification" => $"certification by {Text(m, "actor")} of translation {Text(m, "reference")}",
            _ when m.TryGetProperty("template", out var t) && t.ValueKind == JsonValueKind.Object => $"[{Text(t, "id")}] {Text(m, "text")}",
            _ => Text(m, "text"),
        };
        var line = $"{m.GetProperty("dtg").GetString()}  {m.GetProperty("precedence").GetString(),-9} {m.GetProperty("channel").GetString(),-12} #{m.GetProperty("seq")} {dir}{label} {m.GetProperty("id").GetString()}: {what}";
        if (m.TryGetProperty("translations", out var translations) && translations.ValueKind == JsonValueKind.Array)
        {
            foreach (var t in translations.EnumerateArray())
            {
                var certified = string.Join(", ", t.GetProperty("certifications").EnumerateArray().Select(c => Text(c, "certifiedBy")));
                line += $"\n    translation {Text(t, "id")} ({Text(t, "language")}) by {Text(t, "translatedBy")}"
                    + (certified.Length > 0 ? $", certified by {certified}" : ", not certified") + $": {Text(t, "text")}";
            }
        }
        return line;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : null;
}
