using BenchmarkDotNet.Attributes;
using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Storage;
using Hotline.Storage.Sqlite;

namespace Hotline.Benchmarks;

/// <summary>
/// <see cref="SqliteStore.AppendOutboundAsync"/> on a temporary file with the store's own durable
/// settings (WAL, synchronous=FULL): one append at a time (one fsync each), and 128 at once
/// (group commit: they share the fsyncs).
/// </summary>
[MemoryDiagnoser]
public class StoreBenchmarks : IDisposable
{
    private const int Concurrent = 128;
    private string _folder = "";
    private NodeIdentity _identity = null!;
    private NodeIdentity _peerIdentity = null!;
    private SqliteStore _store = null!;
    private PeerRecord _peer = null!;
    private EnvelopeDraft _draft = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"hotline-benchmarks-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
        _identity = Fixture.NewIdentity();
        _peerIdentity = Fixture.NewIdentity();
        _store = SqliteStore.Open(Path.Combine(_folder, "hotline.db"), _identity);
        _peer = new PeerRecord
        {
            Key = _peerIdentity.PublicKey,
            Name = "Peer",
            TlsSha256 = new string('0', 64),
            Endpoints = ["https://127.0.0.1:1"],
            Channels = ["navy"],
            CardJson = "{}",
            Labels = [Hotline.Core.Messages.Label.Default],
            AddedAt = DateTimeOffset.UtcNow,
        };
        _store.AddPeerAsync(_peer).GetAwaiter().GetResult();
        _draft = Fixture.Draft(100);
    }

    /// <summary>One sender: each append waits for its own commit.</summary>
    [Benchmark]
    public Task<StoredMessage> AppendOne() => _store.AppendOutboundAsync(_peer, _draft);

    /// <summary>128 senders at once: time per append when commits are shared.</summary>
    [Benchmark(OperationsPerInvoke = Concurrent)]
    public Task AppendConcurrent()
    {
        var tasks = new Task[Concurrent];
        for (var i = 0; i < Concurrent; i++)
        {
            tasks[i] = _store.AppendOutboundAsync(_peer, _draft);
        }
        return Task.WhenAll(tasks);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _store?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _identity?.Dispose();
        _peerIdentity?.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
        GC.SuppressFinalize(this);
    }
}
