using Hotline.Node.Link;

namespace Hotline.Node.Supervision;

/// <summary>
/// Brings a link back to a better path. While the link runs on a session this node dialled to
/// one of the peer's fallback endpoints, it probes the better endpoints in order, in the
/// background, with a probe session that carries heartbeats only. Once a probe has stayed healthy
/// (every heartbeat answered in time, round trips under the threshold) for the whole hysteresis time, it
/// dials that endpoint for real; the new session replaces the fallback one (make before break),
/// and whatever was unreceipted is sent again on it, as on any new session. A probe that falters
/// starts its clock again, so a flapping path never takes the link back; the probe session judges
/// each frame as it arrives (<see cref="PathSteadiness"/>), so a falter is not missed when this loop
/// is late to look.
/// </summary>
internal sealed class FailbackSupervisor(LinkManager manager, PeerLink link, LinkSupervisionOptions options)
{
    private static TimeProvider Clock => TimeProvider.System;

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Heartbeat, Clock, ct);
                for (var better = 0; better < FallbackIndex(); better++)
                {
                    if (await ProbeAsync(better, ct))
                    {
                        await FailBackAsync(better, ct);
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                link.Failed(e);
            }
        }
    }

    /// <summary>The index of the peer's endpoint the link runs on when this node dialled it, else 0 (nothing to do).</summary>
    private int FallbackIndex() =>
        link.IsConnected && link.CurrentDialledByUs && link.Path is { Index: > 0 } path ? path.Index : 0;

    /// <summary>True once the probe of <paramref name="index"/> stayed healthy for the hysteresis time.</summary>
    private async Task<bool> ProbeAsync(int index, CancellationToken ct)
    {
        PeerSession? probe = null;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var run = manager.DialAsync(link, index, probe: true, s => probe = s, cts.Token);
        var healthy = false;
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(options.CheckEvery, Clock, ct));
            if (FallbackIndex() <= index)
            {
                break;
            }
            if (probe is not { EstablishedAt: not null } p)
            {
                continue;
            }
            // Steady since its last late frame or slow heartbeat, judged as each arrived, and healthy now.
            var (state, _) = LinkHealthRules.Evaluate(p.Silence, p.RoundTrip, options);
            if (state == LinkState.Up && p.Steady >= options.FailbackAfter)
            {
                healthy = true;
                break;
            }
        }
        probe?.Close(healthy ? "path healthy" : "probe no longer needed");
        await cts.CancelAsync();
        await run;
        return healthy;
    }

    private async Task FailBackAsync(int index, CancellationToken ct)
    {
        var dial = Task.Run(() => manager.DialAsync(link, index, probe: false, started: null, ct), CancellationToken.None);
        // Wait until the new session carries the link (or the dial gave up) before looking again.
        var until = Clock.GetUtcNow() + options.FailAfter * 2;
        while (!dial.IsCompleted && FallbackIndex() > index && Clock.GetUtcNow() < until)
        {
            await Task.Delay(options.CheckEvery, Clock, ct);
        }
    }
}
