using System.Text.Json;
using Hotline.Core.Pairing;
using Hotline.Node.Apis;
using Hotline.Node.Hosting;
using Hotline.Node.Users;
using Hotline.Storage.Sqlite;

namespace Hotline.Cli.Demo;

/// <summary>Two nodes in one folder, paired with each other, each run as a child process.</summary>
public sealed class NodePair : IAsyncDisposable
{
    private NodePair(string root, NodeProcess a, NodeProcess b, PairingCard cardA, PairingCard cardB)
    {
        Root = root;
        A = a;
        B = b;
        CardA = cardA;
        CardB = cardB;
    }

    public string Root { get; }
    public NodeProcess A { get; }
    public NodeProcess B { get; }
    public PairingCard CardA { get; }
    public PairingCard CardB { get; }

    /// <summary>Initialises both nodes on free loopback ports and has each pin the other's card.</summary>
    public static Task<NodePair> CreateAsync(string root, string nameA, string nameB, CancellationToken ct = default) =>
        CreateAsync(root, nameA, nameB, null, ct);

    /// <inheritdoc cref="CreateAsync(string, string, string, CancellationToken)"/>
    public static async Task<NodePair> CreateAsync(string root, string nameA, string nameB, NodePairOptions? options, CancellationToken ct = default)
    {
        options ??= new NodePairOptions();
        Directory.CreateDirectory(root);
        var a = Init(Path.Combine(root, "a"), nameA, options.Languages.A, options);
        var b = Init(Path.Combine(root, "b"), nameB, options.Languages.B, options);
        var cardA = a.CreateCard(a.LoadConfig());
        var cardB = b.CreateCard(b.LoadConfig());
        await AddPeerAsync(a, cardB, ct);
        await AddPeerAsync(b, cardA, ct);
        return new NodePair(root, new NodeProcess(a), new NodeProcess(b), cardA, cardB);
    }

    private static DataFolder Init(string path, string name, string language, NodePairOptions options)
    {
        var folder = new DataFolder(path);
        var port = NodeProcess.FreePort();
        var advertised = options.AdvertisedLinkPort?.Invoke(port) ?? port;
        folder.Initialise(new NodeConfig
        {
            Name = name,
            Link = new LinkConfig { Listen = $"127.0.0.1:{port}", Advertise = [$"https://127.0.0.1:{advertised}"] },
            Api = new ApiConfig { Listen = $"127.0.0.1:{NodeProcess.FreePort()}" },
            Language = language,
        });
        return folder;
    }

    private static async Task AddPeerAsync(DataFolder folder, PairingCard card, CancellationToken ct)
    {
        using var identity = folder.LoadIdentity();
        await using var store = SqliteStore.Open(folder.DatabaseFile, identity);
        await store.AddPeerAsync(PeerRecords.FromCard(card, DateTimeOffset.UtcNow), ct);
    }

    /// <summary>Adds a console user to a node's data folder (the node may be running or not).</summary>
    public static async Task AddUserAsync(DataFolder folder, string name, IReadOnlyList<string> roles, string password, CancellationToken ct = default)
    {
        using var identity = folder.LoadIdentity();
        await using var store = SqliteStore.Open(folder.DatabaseFile, identity);
        var result = await new UserService(store, TimeProvider.System).AddAsync(name, roles, password, "demo", ct: ct);
        if (result.Error is not null)
        {
            throw new InvalidOperationException(result.Error);
        }
    }

    public async Task StartAsync(CancellationToken ct = default)
    {
        await Task.WhenAll(A.StartAsync(ct), B.StartAsync(ct));
        await WaitForLinkAsync(ct);
    }

    /// <summary>Waits until each side reports its link to the other as up.</summary>
    public async Task WaitForLinkAsync(CancellationToken ct = default, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        using var apiA = ApiClient.For(A.Folder);
        using var apiB = ApiClient.For(B.Folder);
        while (!(await IsUpAsync(apiA, ct) && await IsUpAsync(apiB, ct)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the link did not come up");
            }
            await Task.Delay(25, ct);
        }
    }

    private static async Task<bool> IsUpAsync(ApiClient api, CancellationToken ct)
    {
        var peers = await api.GetAsync("/api/peers", ct);
        return peers.EnumerateArray().All(p => p.GetProperty("state").GetString() == "up");
    }

    /// <summary>Undelivered outbound envelopes on a node (all peers).</summary>
    public static async Task<long> UndeliveredAsync(ApiClient api, CancellationToken ct) =>
        (await api.GetAsync("/api/peers", ct)).EnumerateArray().Sum(p => p.GetProperty("undelivered").GetInt64());

    /// <summary>All messages a node holds in one direction, in local order.</summary>
    public static async Task<List<JsonElement>> ListAsync(ApiClient api, string direction, CancellationToken ct)
    {
        var all = new List<JsonElement>();
        long after = 0;
        while (true)
        {
            var page = await api.GetAsync($"/api/messages?after={after}&limit=5000", ct);
            var batch = page.GetProperty("messages").EnumerateArray().ToList();
            all.AddRange(batch.Where(m => m.GetProperty("direction").GetString() == direction));
            if (batch.Count < 5000)
            {
                return all;
            }
            after = page.GetProperty("next").GetInt64();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}
