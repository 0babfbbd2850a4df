using System.Collections.Concurrent;
using System.Security.Cryptography;
using Google.Protobuf;
using Hotline.Core.Identity;
using Hotline.Core.Transcript;
using Hotline.Node.Hosting;
using Hotline.Node.Link;
using Hotline.Node.Messaging;
using Hotline.Protocol;
using Hotline.Storage;
using Hotline.Storage.Transcript;
using Microsoft.Extensions.Logging;

namespace Hotline.Node.Transcript;

/// <summary>
/// The checkpoint protocol of docs/protocol.md §13: proposes checkpoints, answers the peer's,
/// answers prefix queries, and locates the first entry where two records part.
/// </summary>
public sealed partial class TranscriptExchange(
    ITranscriptStore store, NodeIdentity identity, NodeConfig config, SecurityLog security, EventHub events, TimeProvider time,
    ILogger<TranscriptExchange> logger)
{
    private const int MaxQueryCounts = 64;
    private readonly ConcurrentDictionary<string, PeerState> _peers = new();

    private TranscriptConfig Settings => config.Transcript ?? new TranscriptConfig();

    private PeerState State(PeerRecord peer) => _peers.GetOrAdd(peer.Id, _ => new PeerState(new LocalTranscript(store, peer.Id)));

    /// <summary>Called by the session's read loop; never blocks it.</summary>
    internal void OnFrame(PeerLink link, PeerSession session, TranscriptFrame frame)
    {
        var state = State(link.Peer);
        switch (frame.KindCase)
        {
            case TranscriptFrame.KindOneofCase.Proposal:
                Background(link, () => AnswerProposalAsync(link, session, frame.Proposal));
                break;
            case TranscriptFrame.KindOneofCase.Reply when frame.Reply.BodySha256.Length == 32:
                if (state.Proposals.TryRemove(Convert.ToHexStringLower(frame.Reply.BodySha256.Span), out var proposal))
                {
                    proposal.TrySetResult(frame.Reply);
                }
                break;
            case TranscriptFrame.KindOneofCase.Query:
                Background(link, () => AnswerQueryAsync(link, session, frame.Query));
                break;
            case TranscriptFrame.KindOneofCase.Answer:
                if (state.Queries.TryRemove(frame.Answer.Nonce, out var query))
                {
                    query.TrySetResult(frame.Answer);
                }
                break;
            default:
                break;
        }
    }

    private void Background(PeerLink link, Func<Task> work) => _ = Task.Run(async () =>
    {
        try
        {
            await work();
        }
        catch (Exception e) when (PeerSession.IsTransportError(e))
        {
            // The session ended; the next checkpoint starts afresh.
        }
        catch (Exception e)
        {
            LogFailed(logger, e, link.Peer.Name);
        }
    });

    /// <summary>Proposes a checkpoint of what this node holds now and waits for the peer's answer.</summary>
    /// <param name="upTo">Cover each direction at most this far (the automatic rounds); all that is held without it.</param>
    public async Task<CheckpointOutcome> ProposeAsync(PeerLink link, CancellationToken ct, (long Outbound, long Inbound)? upTo = null)
    {
        var peer = link.Peer;
        if (link.Current is not { IsClosed: false } session)
        {
            return new CheckpointOutcome(CheckpointStatus.LinkDown, $"the link with {peer.Name} is down");
        }
        var state = State(peer);
        var sides = LinkSides.Of(identity.PublicKey, peer.Key);
        CheckpointStatement statement;
        await state.Local.Gate.WaitAsync(ct);
        try
        {
            var (outbound, inbound) = state.Local.Prefixes();
            if (upTo is { } most)
            {
                (outbound, inbound) = (Math.Min(outbound, most.Outbound), Math.Min(inbound, most.Inbound));
            }
            var built = Build(state.Local, sides, peer, outbound, inbound);
            if (built.Statement is not { } s)
            {
                return new CheckpointOutcome(CheckpointStatus.Failed, $"this node's own store misses {built.Missing}; run 'hotline verify'");
            }
            statement = s;
        }
        finally
        {
            state.Local.Gate.Release();
        }
        var body = CheckpointCodec.Encode(statement);
        var key = Convert.ToHexStringLower(SHA256.HashData(body));
        var pending = new TaskCompletionSource<CheckpointReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        state.Proposals[key] = pending;
        CheckpointReply reply;
        try
        {
            await session.SendAsync(Frame(new TranscriptFrame
            {
                Proposal = new CheckpointProposal { Body = ByteString.CopyFrom(body), Signature = ByteString.CopyFrom(CheckpointCodec.Sign(identity, body)) },
            }), ct);
            reply = await pending.Task.WaitAsync(TimeSpan.FromSeconds(Settings.ReplyTimeoutSeconds), time, ct);
        }
        catch (TimeoutException)
        {
            return new CheckpointOutcome(CheckpointStatus.TimedOut, $"{peer.Name} did not answer the checkpoint within {Settings.ReplyTimeoutSeconds:0} s", Statement: statement);
        }
        catch (Exception e) when (PeerSession.IsTransportError(e) && !ct.IsCancellationRequested)
        {
            return new CheckpointOutcome(CheckpointStatus.LinkDown, $"the link with {peer.Name} went down", Statement: statement);
        }
        finally
        {
            state.Proposals.TryRemove(key, out _);
        }

        if (reply.Signature.Length > 0)
        {
            if (!CheckpointCodec.Verify(peer.Key, body, reply.Signature.Span))
            {
                security.Record(TranscriptEvents.BadCheckpoint, $"countersignature of a checkpoint from {peer.Name} ({peer.Id}) does not verify");
                return new CheckpointOutcome(CheckpointStatus.Failed, $"{peer.Name}'s countersignature does not verify", Statement: statement);
            }
            var stored = await StoreAsync(peer, sides, body, statement, mine: CheckpointCodec.Sign(identity, body), theirs: reply.Signature.ToByteArray(), ct);
            return new CheckpointOutcome(CheckpointStatus.Agreed, "co-signed", stored, statement);
        }

        // The peer does not agree: keep what it signed instead, then find where the records part.
        byte[]? counter = null, counterSignature = null;
        if (reply.CounterBody.Length > 0 && CheckpointCodec.Verify(peer.Key, reply.CounterBody.Span, reply.CounterSignature.Span)
            && CheckpointCodec.Decode(reply.CounterBody.Span).Statement is { } theirs && theirs.Sides == sides)
        {
            (counter, counterSignature) = (reply.CounterBody.ToByteArray(), reply.CounterSignature.ToByteArray());
        }
        var divergences = await DivergeAsync(link, session, statement, $"{peer.Name} refused the checkpoint: {reply.Disagreement}", counter, counterSignature, ct);
        return new CheckpointOutcome(CheckpointStatus.Diverged, Describe(divergences), null, statement, divergences);
    }

    private async Task AnswerProposalAsync(PeerLink link, PeerSession session, CheckpointProposal proposal)
    {
        var peer = link.Peer;
        var sides = LinkSides.Of(identity.PublicKey, peer.Key);
        var body = proposal.Body.ToByteArray();
        var reply = new CheckpointReply { BodySha256 = ByteString.CopyFrom(SHA256.HashData(body)) };
        if (!CheckpointCodec.Verify(peer.Key, body, proposal.Signature.Span))
        {
            security.Record(TranscriptEvents.BadCheckpoint, $"checkpoint proposal from {peer.Name} ({peer.Id}) does not verify");
            reply.Disagreement = "the proposal's signature does not verify";
            await session.SendAsync(Frame(new TranscriptFrame { Reply = reply }), CancellationToken.None);
            return;
        }
        var decoded = CheckpointCodec.Decode(body);
        var problem = decoded.Error
            ?? (decoded.Statement!.Sides != sides ? "the proposal is not about this link"
            : !decoded.Statement.Proposer.Equals(peer.Key) ? "the proposal names another proposer"
            : null);
        if (problem is not null)
        {
            security.Record(TranscriptEvents.BadCheckpoint, $"checkpoint proposal from {peer.Name} ({peer.Id}) refused: {problem}");
            reply.Disagreement = problem;
            await session.SendAsync(Frame(new TranscriptFrame { Reply = reply }), CancellationToken.None);
            return;
        }

        var proposed = decoded.Statement!;
        var ours = sides.From(identity.PublicKey);
        var countOut = proposed.Count(ours);
        var countIn = proposed.Count(Other(ours));
        var state = State(peer);
        CheckpointStatement? mine;
        string? missing;
        await state.Local.Gate.WaitAsync();
        try
        {
            var built = Build(state.Local, sides, peer, countOut, countIn);
            (mine, missing) = (built.Statement, built.Missing);
            if (mine is null)
            {
                // State what we do hold, as far as the proposal goes, so the proposer keeps our claim.
                var clipped = Build(state.Local, sides, peer,
                    Math.Min(countOut, state.Local.Held(Direction.Outbound)), Math.Min(countIn, state.Local.Prefixes().Inbound));
                mine = clipped.Statement;
            }
        }
        finally
        {
            state.Local.Gate.Release();
        }

        if (missing is null && mine!.SameStateAs(proposed))
        {
            var signature = CheckpointCodec.Sign(identity, body);
            reply.Signature = ByteString.CopyFrom(signature);
            await StoreAsync(peer, sides, body, proposed, mine: signature, theirs: proposal.Signature.ToByteArray(), CancellationToken.None);
            await session.SendAsync(Frame(new TranscriptFrame { Reply = reply }), CancellationToken.None);
            return;
        }
        reply.Disagreement = missing is not null ? $"this node does not hold {missing}" : "the heads or the Merkle root differ";
        if (mine is not null)
        {
            var counter = CheckpointCodec.Encode(mine);
            reply.CounterBody = ByteString.CopyFrom(counter);
            reply.CounterSignature = ByteString.CopyFrom(CheckpointCodec.Sign(identity, counter));
        }
        await session.SendAsync(Frame(new TranscriptFrame { Reply = reply }), CancellationToken.None);
        await DivergeAsync(link, session, proposed, $"checkpoint proposed by {peer.Name} does not match this node's record: {reply.Disagreement}",
            body, proposal.Signature.ToByteArray(), CancellationToken.None);
    }

    private (CheckpointStatement? Statement, string? Missing) Build(LocalTranscript local, LinkSides sides, PeerRecord peer, long countOut, long countIn)
    {
        var outbound = local.Compute(Direction.Outbound, countOut);
        var inbound = local.Compute(Direction.Inbound, countIn);
        foreach (var (d, s) in new[] { (Direction.Outbound, outbound), (Direction.Inbound, inbound) })
        {
            if (s.Missing is { } seq)
            {
                return (null, $"{Path(d, peer)} seq {seq}");
            }
        }
        var ours = sides.From(identity.PublicKey);
        var (ab, ba) = ours == ChainDirection.AtoB ? (outbound, inbound) : (inbound, outbound);
        return (new CheckpointStatement
        {
            Sides = sides,
            CountAtoB = ab.Count,
            HeadAtoB = ab.Head,
            CountBtoA = ba.Count,
            HeadBtoA = ba.Head,
            TranscriptRoot = Merkle.TranscriptRoot(ab.Root, ba.Root),
            Created = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()),
            Proposer = identity.PublicKey,
        }, null);
    }

    private async Task<StoredCheckpoint> StoreAsync(PeerRecord peer, LinkSides sides, byte[] body, CheckpointStatement s, byte[] mine, byte[] theirs,
        CancellationToken ct)
    {
        var weAreA = sides.A.Equals(identity.PublicKey);
        var stored = await store.StoreCheckpointAsync(peer.Id, body, weAreA ? mine : theirs, weAreA ? theirs : mine, s.Created, ct);
        var ours = sides.From(identity.PublicKey);
        await State(peer).Local.PersistAsync(s.Count(ours), s.Count(Other(ours)), ct);
        LogCheckpoint(logger, peer.Name, s.CountAtoB, s.CountBtoA);
        events.Publish(new NodeEvent
        {
            Type = TranscriptEvents.Checkpoint,
            At = stored.StoredAt,
            Peer = peer.Id,
            Detail = $"checkpoint {stored.Id}: {s}",
        });
        return stored;
    }

    private async Task AnswerQueryAsync(PeerLink link, PeerSession session, PrefixQuery query)
    {
        var state = State(link.Peer);
        var sides = LinkSides.Of(identity.PublicKey, link.Peer.Key);
        var answer = new PrefixAnswer { Nonce = query.Nonce };
        if (query.Direction <= 1 && query.Counts.Count <= MaxQueryCounts)
        {
            var local = Local(sides, (ChainDirection)query.Direction);
            await state.Local.Gate.WaitAsync();
            try
            {
                var roots = state.Local.PrefixRoots(local, query.Counts.Select(c => c > long.MaxValue ? -1 : (long)c));
                answer.Roots.AddRange(query.Counts.Select(c => c <= long.MaxValue && roots.GetValueOrDefault((long)c) is { } r ? ByteString.CopyFrom(r) : ByteString.Empty));
            }
            finally
            {
                state.Local.Gate.Release();
            }
        }
        await session.SendAsync(Frame(new TranscriptFrame { Answer = answer }), CancellationToken.None);
    }

    private Direction Local(LinkSides sides, ChainDirection d) => sides.Sender(d).Equals(identity.PublicKey) ? Direction.Outbound : Direction.Inbound;

    /// <summary>A direction in words: "Node A → Node B".</summary>
    internal string Path(Direction d, PeerRecord peer) => d == Direction.Outbound ? $"{config.Name} → {peer.Name}" : $"{peer.Name} → {config.Name}";

    private static ChainDirection Other(ChainDirection d) => d == ChainDirection.AtoB ? ChainDirection.BtoA : ChainDirection.AtoB;

    private static Frame Frame(TranscriptFrame f) => new() { Transcript = f };

    private static string Describe(IReadOnlyList<Divergence> divergences) =>
        string.Join("; ", divergences.Select(d => d.Detail));

    private sealed class PeerState(LocalTranscript local)
    {
        public LocalTranscript Local { get; } = local;
        public ConcurrentDictionary<string, TaskCompletionSource<CheckpointReply>> Proposals { get; } = new();
        public ConcurrentDictionary<ulong, TaskCompletionSource<PrefixAnswer>> Queries { get; } = new();
        private long _nonce;

        /// <summary>1 while a divergence is being located.</summary>
        public int Locating;

        public ulong NextNonce() => (ulong)Interlocked.Increment(ref _nonce);
    }

    [LoggerMessage(1500, LogLevel.Information, "Checkpoint with {Peer} co-signed: A→B {CountAtoB}, B→A {CountBtoA}")]
    private static partial void LogCheckpoint(ILogger logger, string peer, long countAtoB, long countBtoA);

    [LoggerMessage(1501, LogLevel.Error, "Transcript exchange with {Peer} failed")]
    private static partial void LogFailed(ILogger logger, Exception e, string peer);
}
