using Hotline.Core.Pairing;

namespace Hotline.Testing;

/// <summary>
/// Two in-process nodes, A and B, paired through the operator API and linked. With
/// <see cref="ClusterOptions.ThroughProxies"/> each advertises a fault proxy instead of its own
/// link address, so whichever side dials, the session crosses a proxy the test can break.
/// </summary>
public sealed class TwoNodeCluster : IAsyncDisposable
{
    private readonly TempFolder _temp;

    private TwoNodeCluster(TempFolder temp, InProcessNode a, InProcessNode b, PairingCard cardA, PairingCard cardB,
        IReadOnlyList<FaultProxy> toA, IReadOnlyList<FaultProxy> toB)
    {
        _temp = temp;
        A = a;
        B = b;
        CardA = cardA;
        CardB = cardB;
        ProxiesToA = toA;
        ProxiesToB = toB;
    }

    public InProcessNode A { get; }
    public InProcessNode B { get; }
    public PairingCard CardA { get; }
    public PairingCard CardB { get; }
    public FaultProxy? ProxyToA => ProxiesToA.FirstOrDefault();
    public FaultProxy? ProxyToB => ProxiesToB.FirstOrDefault();
    /// <summary>The paths to each node, most preferred first (empty without proxies).</summary>
    public IReadOnlyList<FaultProxy> ProxiesToA { get; }
    public IReadOnlyList<FaultProxy> ProxiesToB { get; }
    public IEnumerable<FaultProxy> Proxies => ProxiesToA.Concat(ProxiesToB);

    public static async Task<TwoNodeCluster> StartAsync(ClusterOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ClusterOptions();
        var temp = new TempFolder("cluster");
        InProcessNode? a = null, b = null;
        var toA = new List<FaultProxy>();
        var toB = new List<FaultProxy>();
        try
        {
            a = await InProcessNode.StartAsync(temp.Combine("a"), "Node A", options.Node, ct);
            b = await InProcessNode.StartAsync(temp.Combine("b"), "Node B", options.Node, ct);
            if (options.ThroughProxies)
            {
                for (var i = 0; i < Math.Max(1, options.Paths); i++)
                {
                    toA.Add(new FaultProxy(a.Host.LinkUrl));
                    toB.Add(new FaultProxy(b.Host.LinkUrl));
                }
            }
            var cardA = toA.Count == 0 ? a.ExportCard() : a.ExportCard([.. toA.Select(p => p.Url)]);
            var cardB = toB.Count == 0 ? b.ExportCard() : b.ExportCard([.. toB.Select(p => p.Url)]);
            await a.AddPeerAsync(cardB, ct);
            await b.AddPeerAsync(cardA, ct);
            var cluster = new TwoNodeCluster(temp, a, b, cardA, cardB, toA, toB);
            await cluster.WaitForLinkAsync(ct: ct);
            return cluster;
        }
        catch
        {
            foreach (var p in toA.Concat(toB))
            {
                await p.DisposeAsync();
            }
            foreach (var n in new[] { a, b }.OfType<InProcessNode>())
            {
                await n.DisposeAsync();
            }
            temp.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Waits until both sides report the link up on one session: dialled by one of them and
    /// accepted by the other. (Both dial at first; until one session has replaced the other, each
    /// side may hold its own.)
    /// </summary>
    public Task WaitForLinkAsync(TimeSpan? timeout = null, CancellationToken ct = default) =>
        Poll.UntilAsync(() => A.IsUpWith(B) && B.IsUpWith(A) && A.LinkTo(B)!.CurrentDialledByUs != B.LinkTo(A)!.CurrentDialledByUs,
            "the link between A and B to come up", timeout ?? TimeSpan.FromSeconds(30), ct);

    /// <summary>Waits until neither side has an unreceipted outbound envelope.</summary>
    public Task WaitAllDeliveredAsync(TimeSpan? timeout = null, CancellationToken ct = default) =>
        Poll.UntilAsync(() => A.Store.Counts(B.Id).Undelivered == 0 && B.Store.Counts(A.Id).Undelivered == 0,
            "every outbound envelope on both sides to be receipted", timeout, ct);

    public async ValueTask DisposeAsync()
    {
        foreach (var p in Proxies)
        {
            await p.DisposeAsync();
        }
        await A.DisposeAsync();
        await B.DisposeAsync();
        _temp.Dispose();
    }
}
