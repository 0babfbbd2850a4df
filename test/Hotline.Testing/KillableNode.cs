using Hotline.Cli;
using Hotline.Cli.Demo;

namespace Hotline.Testing;

/// <summary>
/// A node run as a child process that the test kills and restarts. It counts its lives
/// (<see cref="Epoch"/>) so a client can tell a request that failed because the node was killed
/// from one that failed for any other reason.
/// </summary>
public sealed class KillableNode : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private TaskCompletionSource<(ApiClient Api, int Epoch)> _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ApiClient? _api;

    public KillableNode(NodeProcess process) => Process = process;

    public NodeProcess Process { get; }

    /// <summary>Bumped each time the node is about to be killed.</summary>
    public int Epoch { get; private set; }

    public int Kills { get; private set; }

    public bool IsUp
    {
        get
        {
            lock (_lock)
            {
                return _up.Task.IsCompletedSuccessfully;
            }
        }
    }

    /// <summary>Marks the node up after <see cref="NodeProcess.StartAsync"/> was called outside (for example by <see cref="NodePair"/>).</summary>
    public void Started()
    {
        var api = ApiClient.For(Process.Folder);
        lock (_lock)
        {
            _api = api;
            _up.TrySetResult((api, Epoch));
        }
    }

    /// <summary>Waits until the node is running and returns a client for this life of it.</summary>
    public Task<(ApiClient Api, int Epoch)> WaitUpAsync(CancellationToken ct = default)
    {
        lock (_lock)
        {
            return _up.Task.WaitAsync(ct);
        }
    }

    /// <summary>SIGKILL, no warning.</summary>
    public async Task KillAsync()
    {
        lock (_lock)
        {
            Epoch++;
            Kills++;
            if (_up.Task.IsCompleted)
            {
                _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        await Process.KillAsync();
        _api?.Dispose();
        _api = null;
    }

    public async Task RestartAsync(CancellationToken ct = default)
    {
        await Process.StartAsync(ct);
        Started();
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _api?.Dispose();
    }
}
