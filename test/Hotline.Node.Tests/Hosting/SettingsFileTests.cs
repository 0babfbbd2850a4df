using Hotline.Core.Messages;
using Hotline.Node.Hosting;
using Hotline.Storage;
using Hotline.Testing;
using Xunit;

namespace Hotline.Node.Tests.Hosting;

/// <summary>Settings read by generated serializer code keep their defaults where the file is silent.</summary>
public sealed class SettingsFileTests : IDisposable
{
    private readonly TempFolder _temp = new("settings");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_settings_file_holding_only_some_members_keeps_the_defaults_of_the_rest()
    {
        var folder = new DataFolder(Path.Combine(_temp.Path, "node"));
        folder.Initialise(new NodeConfig { Name = "Seoul" });
        File.WriteAllText(folder.ConfigFile, """
            { "name": "Seoul", "deadlines": { "flash": { "deliver": "00:00:10", "acknowledge": "00:05:00" } } }
            """);

        var config = folder.LoadConfig();

        Assert.Equal("Seoul", config.Name);
        Assert.Equal(TimeSpan.FromSeconds(10), config.Deadlines.Flash.Deliver);
        Assert.Equal(Deadlines.Default.Routine, config.Deadlines.Routine);
        Assert.Equal("127.0.0.1:7443", config.Link.Listen);
        Assert.Equal(2, config.Link.HeartbeatSeconds);
        Assert.Equal(["https://127.0.0.1:7443"], config.Link.Advertise);
        Assert.Equal("127.0.0.1:7080", config.Api.Listen);
        Assert.Equal(3, config.Escalation.Steps.Count);
        Assert.Equal(1000, config.Transcript.CheckpointEveryEntries);
        Assert.Equal("en", config.Language);
        Assert.Equal(Channels.Defaults, config.Channels);
        Assert.Equal(LineTestSettings.Defaults, config.LineTests);
    }
}
