using System.Text.Json;
using Hotline.Cli;
using Hotline.Cli.Demo;

namespace Hotline.Testing;

/// <summary>
/// Submits numbered messages one at a time through a node's operator API while that node may be
/// killed. When a request fails because the node died, it waits for the next life of the node and
/// looks at the node's outbound messages: a message the node committed before it died is not sent
/// again, so the test itself never creates a duplicate.
/// </summary>
public sealed class ResilientSender(KillableNode node, string label, string peer, IReadOnlyList<string> channels)
{
    private readonly Dictionary<string, List<int>> _expected = channels.ToDictionary(c => c, _ => new List<int>());
    private int _sent;
    private int _limit;
    private TaskCompletionSource _more = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Label => label;

    /// <summary>Messages committed by the node so far.</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Requests cut short by a kill whose message turned out to be committed already.</summary>
    public int FoundAfterKill { get; private set; }

    /// <summary>Requests cut short by a kill whose message had not been committed, and were sent again.</summary>
    public int ResentAfterKill { get; private set; }

    /// <summary>Per channel, the numbers committed, in order.</summary>
    public IReadOnlyDictionary<string, List<int>> Expected => _expected;

    public static string ChannelOf(IReadOnlyList<string> channels, int n) => channels[n % channels.Count];

    /// <summary>Lets the sender go on up to message number <paramref name="limit"/>.</summary>
    public void Allow(int limit)
    {
        lock (_expected)
        {
            _limit = limit;
            _more.TrySetResult();
        }
    }

    public async Task RunAsync(int total, CancellationToken ct)
    {
        for (var n = 1; n <= total; n++)
        {
            await WaitAllowedAsync(n, ct);
            var channel = ChannelOf(channels, n);
            var text = TrafficText.Format(label, channel, n);
            while (!await TrySendAsync(channel, text, ct))
            {
            }
            _expected[channel].Add(n);
            Interlocked.Increment(ref _sent);
        }
    }

    private async Task WaitAllowedAsync(int n, CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_expected)
            {
                if (n <= _limit)
                {
                    return;
                }
                if (_more.Task.IsCompleted)
                {
                    _more = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                wait = _more.Task;
            }
            await wait.WaitAsync(ct);
        }
    }

    /// <summary>True once the message is committed on the node (by this request or one cut short before).</summary>
    private async Task<bool> TrySendAsync(string channel, string text, CancellationToken ct)
    {
        var (api, epoch) = await node.WaitUpAsync(ct);
        try
        {
            await api.PostAsync("/api/messages", new { peer, channel, text }, ct);
            return true;
        }
        catch (Exception e) when (!ct.IsCancellationRequested && IsConnectionFailure(e))
        {
            if (node.Epoch == epoch)
            {
                throw new InvalidOperationException($"sending '{text}' failed although the node was not killed", e);
            }
        }
        // The node was killed while the request was in flight: it may or may not have committed it.
        while (true)
        {
            var (again, life) = await node.WaitUpAsync(ct);
            try
            {
                if (await HoldsOutboundAsync(again, text, ct))
                {
                    FoundAfterKill++;
                    return true;
                }
                ResentAfterKill++;
                return false;
            }
            catch (Exception e) when (!ct.IsCancellationRequested && IsConnectionFailure(e) && node.Epoch != life)
            {
                // Killed again while looking: look in its next life.
            }
        }
    }

    private static bool IsConnectionFailure(Exception e) =>
        e is CliError or HttpRequestException or IOException or TaskCanceledException or ObjectDisposedException;

    private static async Task<bool> HoldsOutboundAsync(ApiClient api, string text, CancellationToken ct)
    {
        var outbound = await NodePair.ListAsync(api, "out", ct);
        return outbound.Any(m => m.GetProperty("text").GetString() == text);
    }

    /// <summary>Every outbound message on the node, as the API lists it.</summary>
    public static Task<List<JsonElement>> OutboundAsync(ApiClient api, CancellationToken ct) => NodePair.ListAsync(api, "out", ct);
}
