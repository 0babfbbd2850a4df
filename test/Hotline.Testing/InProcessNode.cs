using Hotline.Cli;
using Hotline.Core.Identity;
using Hotline.Core.Pairing;
using Hotline.Node.Apis;
using Hotline.Node.Hosting;
using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hotline.Testing;

/// <summary>
/// A real node (Kestrel on loopback port 0 with real TLS, SQLite on disk) running inside the test
/// process, with handles on its services.
/// </summary>
public sealed class InProcessNode : IAsyncDisposable
{
    private ApiClient? _api;

    private readonly TestNodeOptions _options;

    private InProcessNode(DataFolder folder, HotlineHost host, NodeKey key, TestNodeOptions options)
    {
        Folder = folder;
        Host = host;
        Key = key;
        _options = options;
    }

    public DataFolder Folder { get; }
    public HotlineHost Host { get; private set; }

    /// <summary>Stops the node cleanly and starts it again on the same data folder (its link port may change).</summary>
    public async Task RestartAsync(CancellationToken ct = default)
    {
        _api?.Dispose();
        _api = null;
        await Host.DisposeAsync();
        Host = await HotlineHost.StartAsync(Folder, new HostSettings { LogLevel = _options.LogLevel, Time = _options.Time }, ct);
    }

    public T Service<T>() where T : notnull => Host.Services.GetRequiredService<T>();
    public NodeKey Key { get; }
    public string Id => Key.Id;
    public string Name => Folder.LoadConfig().Name;

    public IHotlineStore Store => Host.Services.GetRequiredService<IHotlineStore>();
    public MessageService Messages => Host.Services.GetRequiredService<MessageService>();
    public LinkManager Links => Host.Services.GetRequiredService<LinkManager>();
    public EventHub Events => Host.Services.GetRequiredService<EventHub>();

    /// <summary>The operator API with this node's bearer token.</summary>
    public ApiClient Api => _api ??= ApiClient.For(Folder);

    /// <summary>Initialises a node in <paramref name="path"/> with both listeners on port 0 and starts it.</summary>
    public static async Task<InProcessNode> StartAsync(string path, string name, TestNodeOptions? options = null, CancellationToken ct = default)
    {
        options ??= new TestNodeOptions();
        var folder = new DataFolder(path);
        var config = new NodeConfig
        {
            Name = name,
            Link = new LinkConfig { Listen = "127.0.0.1:0", Advertise = [], HeartbeatSeconds = options.HeartbeatSeconds },
            Api = new ApiConfig { Listen = "127.0.0.1:0" },
            Channels = options.Channels,
            // Scheduled line tests would fire whenever a test's fake clock crosses the hour: on only where a test asks.
            LineTests = LineTestSettings.Defaults with { Enabled = false },
        };
        folder.Initialise(options.Configure?.Invoke(config) ?? config);
        var host = await HotlineHost.StartAsync(folder, new HostSettings { LogLevel = options.LogLevel, Time = options.Time }, ct);
        using var identity = folder.LoadIdentity();
        return new InProcessNode(folder, host, identity.PublicKey, options);
    }

    /// <summary>
    /// Writes the addresses peers should dial into the node's settings (the real link address, or a
    /// proxy in front of it) and returns the pairing card that carries them.
    /// </summary>
    public PairingCard ExportCard(params string[] advertise)
    {
        var config = Folder.LoadConfig();
        config = config with { Link = config.Link with { Advertise = advertise.Length > 0 ? advertise : [Host.LinkUrl.ToString().TrimEnd('/')] } };
        Folder.SaveConfig(config);
        return Folder.CreateCard(config);
    }

    /// <summary>Pins <paramref name="card"/> through the operator API, as an administrator would.</summary>
    public Task AddPeerAsync(PairingCard card, CancellationToken ct = default) =>
        Api.PostAsync("/api/peers", new AddPeerRequest(card.ToJson()), ct);

    public PeerLink? LinkTo(InProcessNode other) => Links.Find(other.Id);

    /// <summary>A session carries the link (up or degraded).</summary>
    public bool IsUpWith(InProcessNode other) => LinkTo(other)?.IsConnected == true;

    public Task<ApiResult<MessageView>> SendAsync(InProcessNode to, string channel, string text, string? precedence = null, CancellationToken ct = default) =>
        Messages.SendAsync(new SendRequest { Peer = to.Id, Channel = channel, Text = text, Precedence = precedence }, ct);

    public IReadOnlyList<StoredMessage> Inbound(InProcessNode from) => List(from, Direction.Inbound);

    public IReadOnlyList<StoredMessage> Outbound(InProcessNode to) => List(to, Direction.Outbound);

    private List<StoredMessage> List(InProcessNode peer, Direction direction)
    {
        var all = new List<StoredMessage>();
        long after = 0;
        while (true)
        {
            var page = Store.ListMessages(new MessageQuery { PeerId = peer.Id, After = after, Limit = 5000 });
            all.AddRange(page.Where(m => m.Direction == direction));
            if (page.Count < 5000)
            {
                return all;
            }
            after = page[^1].Position;
        }
    }

    public bool IsDisposed { get; private set; }

    /// <summary>Stops the node gracefully (as on SIGTERM). Safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (IsDisposed)
        {
            return;
        }
        IsDisposed = true;
        _api?.Dispose();
        await Host.DisposeAsync();
    }
}
