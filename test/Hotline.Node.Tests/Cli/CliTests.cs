using Hotline.Core.Catalog;
using Hotline.Core.Envelopes;
using Hotline.Core.Pairing;
using Hotline.Node.Hosting;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Cli;

/// <summary>The real <c>hotline</c> command, run as a child process: expected failures are one line and a non-zero exit.</summary>
public sealed class CliTests : IDisposable
{
    private readonly TempFolder _temp = new("cli");

    public void Dispose() => _temp.Dispose();

    internal static void AssertOneLineFailure(CliResult result, string expected)
    {
        Assert.True(result.ExitCode != 0, $"expected a failure\n{result}");
        var lines = result.StdoutLines.Concat(result.StderrLines).ToList();
        Assert.True(lines.Count == 1, $"expected exactly one line of output\n{result}");
        Assert.StartsWith("hotline: ", result.StderrLines.Single(), StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_creates_a_node_with_private_files_readable_by_the_owner_only()
    {
        var data = _temp.Combine("node");
        var result = await HotlineCli.RunAsync("init", "--name", "Seoul", "--data", data, "--link-listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Initialised node 'Seoul'", result.Stdout, StringComparison.Ordinal);
        var folder = new DataFolder(data);
        foreach (var secret in new[] { folder.IdentityKeyFile, folder.CertificateKeyFile, folder.TokenFile })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
        Assert.Equal("Seoul", folder.LoadConfig().Name);
    }

    [Fact]
    public async Task Init_twice_on_the_same_folder_refuses_and_changes_nothing()
    {
        var data = _temp.Combine("node");
        Assert.Equal(0, (await HotlineCli.RunAsync("init", "--name", "Seoul", "--data", data)).ExitCode);
        var folder = new DataFolder(data);
        var identity = await File.ReadAllTextAsync(folder.IdentityKeyFile);
        var config = await File.ReadAllTextAsync(folder.ConfigFile);

        var again = await HotlineCli.RunAsync("init", "--name", "Impostor", "--data", data);

        AssertOneLineFailure(again, "already holds a Hotline node");
        Assert.Equal(identity, await File.ReadAllTextAsync(folder.IdentityKeyFile));
        Assert.Equal(config, await File.ReadAllTextAsync(folder.ConfigFile));
    }

    [Fact]
    public async Task Send_to_a_node_that_is_not_running_says_so()
    {
        var data = _temp.Combine("node");
        new DataFolder(data).Initialise(new NodeConfig { Name = "Idle" });

        var result = await HotlineCli.RunAsync("send", "--data", data, "--peer", "anyone", "--channel", "navy", "hello");

        AssertOneLineFailure(result, "is not running");
    }

    [Fact]
    public async Task Send_to_a_node_that_was_killed_says_it_is_not_answering()
    {
        // A node killed with SIGKILL leaves its runtime file behind, naming a port nobody listens on.
        var folder = new DataFolder(_temp.Combine("node"));
        folder.Initialise(new NodeConfig { Name = "Killed" });
        var port = Hotline.Cli.Demo.NodeProcess.FreePort();
        await File.WriteAllTextAsync(folder.RuntimeFile, System.Text.Json.JsonSerializer.Serialize(
            new RuntimeInfo($"http://127.0.0.1:{port}/", $"https://127.0.0.1:{port}/", 999_999), NodeConfig.Json));

        var result = await HotlineCli.RunAsync("send", "--data", folder.Path, "--peer", "anyone", "--channel", "navy", "hello");

        AssertOneLineFailure(result, "is not answering");
    }

    [Fact]
    public async Task Peer_add_with_a_malformed_card_says_what_is_wrong()
    {
        var data = _temp.Combine("node");
        new DataFolder(data).Initialise(new NodeConfig { Name = "Idle" });
        var card = _temp.Combine("card.json");
        await File.WriteAllTextAsync(card, "{ \"name\": \"half a card\" ");

        var result = await HotlineCli.RunAsync("peer", "add", "--data", data, "--yes", card);

        AssertOneLineFailure(result, "malformed card");
    }

    [Fact]
    public async Task Peer_add_with_an_altered_card_refuses_it()
    {
        var data = _temp.Combine("node");
        var other = new DataFolder(_temp.Combine("other"));
        new DataFolder(data).Initialise(new NodeConfig { Name = "Idle" });
        other.Initialise(new NodeConfig { Name = "Beijing" });
        var card = _temp.Combine("card.json");
        await File.WriteAllTextAsync(card, other.CreateCard(other.LoadConfig()).ToJson().Replace("Beijing", "Bejing", StringComparison.Ordinal));

        var result = await HotlineCli.RunAsync("peer", "add", "--data", data, "--yes", card);

        AssertOneLineFailure(result, "altered");
    }

    [Fact]
    public async Task Send_failures_against_a_running_node_are_one_line_each()
    {
        // One running node (in-process, so the CLI finds it through its runtime file) with one peer.
        await using var node = await InProcessNode.StartAsync(_temp.Combine("node"), "Seoul");
        var peer = new DataFolder(_temp.Combine("peer"));
        peer.Initialise(new NodeConfig { Name = "Beijing", Link = new LinkConfig { Advertise = [$"https://127.0.0.1:{Hotline.Cli.Demo.NodeProcess.FreePort()}"] } });
        await node.AddPeerAsync(peer.CreateCard(peer.LoadConfig()));
        var data = node.Folder.Path;

        var runs = await Task.WhenAll(
            HotlineCli.RunAsync("send", "--data", data, "--peer", "Pyongyang", "--channel", "navy", "hello"),
            HotlineCli.RunAsync("send", "--data", data, "--peer", "Beijing", "--channel", "army", "hello"),
            HotlineCli.RunAsync(["send", "--data", data, "--peer", "Beijing", "--channel", "navy", "-"], stdin: new string('x', EnvelopeLimits.MaxTextBytes + 1)));

        AssertOneLineFailure(runs[0], "unknown peer 'Pyongyang'");
        AssertOneLineFailure(runs[1], "unknown channel 'army'");
        AssertOneLineFailure(runs[2], $"the limit is {EnvelopeLimits.MaxTextBytes} bytes");
        Assert.Empty(node.Store.ListMessages(new Storage.MessageQuery()));

        // The largest allowed message goes through.
        var ok = await HotlineCli.RunAsync(["send", "--data", data, "--peer", "Beijing", "--channel", "navy", "-"], stdin: new string('x', EnvelopeLimits.MaxTextBytes));
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.StartsWith("committed ", ok.Stdout, StringComparison.Ordinal);
        Assert.Equal(EnvelopeLimits.MaxTextBytes, Assert.Single(node.Store.ListMessages(new Storage.MessageQuery())).Envelope.Text.Length);
    }

    [Fact]
    public async Task Send_template_validates_its_params_translate_and_certify_work_and_peer_add_warns_of_another_catalog()
    {
        await using var node = await InProcessNode.StartAsync(_temp.Combine("node"), "Seoul");
        var peer = new DataFolder(_temp.Combine("peer"));
        peer.Initialise(new NodeConfig { Name = "Beijing", Link = new LinkConfig { Advertise = [$"https://127.0.0.1:{Hotline.Cli.Demo.NodeProcess.FreePort()}"] } });
        await node.AddPeerAsync(peer.CreateCard(peer.LoadConfig()));
        var data = node.Folder.Path;
        // A catalog message whose only required parameter is a position.
        var message = MessageCatalog.Default.Messages.First(m => m.Parameters.Where(p => p.Required).Select(p => p.Type).SequenceEqual([ParameterType.Position]));
        var name = message.Parameters.Single(p => p.Required).Name;
        string[] Send(params string[] more) => ["send", "--data", data, "--peer", "Beijing", "--channel", "navy", .. more];

        var runs = await Task.WhenAll(
            HotlineCli.RunAsync(Send("--template", message.Id, "--param", $"{name}=95,124")),
            HotlineCli.RunAsync(Send("--template", message.Id, "--param", $"{name}")),
            HotlineCli.RunAsync(Send("--param", $"{name}=37,124", "hello")),
            HotlineCli.RunAsync(Send()));
        AssertOneLineFailure(runs[0], name);
        AssertOneLineFailure(runs[1], "is not NAME=VALUE");
        AssertOneLineFailure(runs[2], "add --template ID");
        AssertOneLineFailure(runs[3], "--template ID");
        Assert.Empty(node.Store.ListMessages(new Storage.MessageQuery()));

        var ok = await HotlineCli.RunAsync(Send("--template", message.Id, "--param", $"{name}=37.5,124.25"));
        Assert.True(ok.ExitCode == 0, ok.ToString());
        var sent = Assert.Single(node.Store.ListMessages(new Storage.MessageQuery()));
        Assert.Equal(message.Render("en", message.Validate(new Dictionary<string, string> { [name] = "37.5,124.25" }).Normalized), ok.StdoutLines[1].Trim());

        var translated = await HotlineCli.RunAsync("translate", "--data", data, sent.Envelope.Id.ToString(), "--lang", "ko", "번역", "--as", "Kim");
        Assert.True(translated.ExitCode == 0, translated.ToString());
        var translationId = translated.Stdout.Split(' ')[1];
        AssertOneLineFailure(await HotlineCli.RunAsync("certify", "--data", data, translationId, "--as", "kim"), "Kim made this translation");
        var certified = await HotlineCli.RunAsync("certify", "--data", data, translationId, "--as", "Park");
        Assert.True(certified.ExitCode == 0, certified.ToString());

        // A card from a node with another catalog version: added, with a warning naming both versions.
        var idle = new DataFolder(_temp.Combine("idle"));
        idle.Initialise(new NodeConfig { Name = "Idle" });
        using var identity = peer.LoadIdentity();
        var card = _temp.Combine("card.json");
        var own = peer.CreateCard(peer.LoadConfig());
        await File.WriteAllTextAsync(card, PairingCard.Create(identity, "Beijing", own.TlsCertificateSha256, own.Endpoints, own.Channels, DateTimeOffset.UtcNow,
            own.Labels, catalogVersion: "1999.1").ToJson());
        var added = await HotlineCli.RunAsync("peer", "add", "--data", idle.Path, "--yes", card);
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Contains("Catalog     1999.1", added.Stdout, StringComparison.Ordinal);
        Assert.Contains($"warning: the peer uses message catalog 1999.1, this node {MessageCatalog.Default.Version}", added.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Ports_handed_out_for_nodes_lie_below_the_ephemeral_range_and_are_never_the_same_twice()
    {
        // Outgoing connections take their local ports from the ephemeral range (Linux: 32768 and up),
        // so one could take a port handed out there before its node binds it.
        var ports = Enumerable.Range(0, 64).Select(_ => Hotline.Cli.Demo.NodeProcess.FreePort()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 1024, 32767));
    }
}
