using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Hotline.Node.Hosting;
using Hotline.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hotline.Node.Alarms;

/// <summary>
/// Delivers escalation notifications through the configured hooks: an HTTP webhook signed with
/// HMAC-SHA256, or a local command. Each is retried with growing delays until it succeeds; the
/// queue is in the store, so a restart loses none.
/// </summary>
public sealed partial class HookDispatcher(IHotlineStore store, NodeConfig config, TimeProvider time, ILogger<HookDispatcher> logger)
    : BackgroundService
{
    public const string SignatureHeader = "X-Hotline-Signature";
    public const string TimestampHeader = "X-Hotline-Timestamp";
    public const string DeliveryHeader = "X-Hotline-Delivery";
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly SemaphoreSlim _running = new(1, 1);
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Wake() => _wake.TrySetResult();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = _wake.Task;
            try
            {
                await RunDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
            try
            {
                await wake.WaitAsync(AlarmService.Tick, time, stoppingToken);
            }
            catch (TimeoutException)
            {
            }
            if (wake.IsCompleted)
            {
                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Attempts every notification that is due now; one pass at a time, so none is sent twice at once.</summary>
    public async Task RunDueAsync(CancellationToken ct)
    {
        await _running.WaitAsync(ct);
        try
        {
            await RunDueOnceAsync(ct);
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task RunDueOnceAsync(CancellationToken ct)
    {
        foreach (var n in store.DueNotifications(time.GetUtcNow(), 100))
        {
            string? error;
            try
            {
                error = config.Escalation.Hooks.TryGetValue(n.Hook, out var hook)
                    ? await DeliverAsync(hook, n, ct)
                    : $"hook '{n.Hook}' is no longer configured";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or System.ComponentModel.Win32Exception)
            {
                error = e.Message;
            }
            var now = time.GetUtcNow();
            var backoff = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, n.Attempts), MaxBackoff.TotalSeconds));
            // Recorded even when the node is stopping: a hook that took the notification must not
            // be sent it again after the restart.
            await store.RecordNotificationAttemptAsync(n.Id, error is null, error, error is null ? now : now + backoff, CancellationToken.None);
            if (error is null)
            {
                LogDelivered(logger, n.Id, n.Hook, n.Attempts + 1);
            }
            else
            {
                LogRetry(logger, n.Id, n.Hook, n.Attempts + 1, error, backoff.TotalSeconds);
            }
        }
    }

    private async Task<string?> DeliverAsync(HookConfig hook, Notification n, CancellationToken ct)
    {
        if (hook.Webhook is { } web)
        {
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            using var request = new HttpRequestMessage(HttpMethod.Post, web.Url)
            {
                Content = new StringContent(n.Payload, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add(TimestampHeader, timestamp);
            request.Headers.Add(SignatureHeader, "sha256=" + Sign(web.Secret, timestamp, n.Payload));
            request.Headers.Add(DeliveryHeader, n.Id.ToString(CultureInfo.InvariantCulture));
            using var response = await _http.SendAsync(request, ct);
            return response.IsSuccessStatusCode ? null : $"webhook answered {(int)response.StatusCode}";
        }
        if (hook.Command is { } command)
        {
            var psi = new ProcessStartInfo(command.Path) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in command.Args)
            {
                psi.ArgumentList.Add(a);
            }
            psi.Environment["HOTLINE_ALARM_ID"] = n.AlarmId.ToString(CultureInfo.InvariantCulture);
            psi.Environment["HOTLINE_ALARM_STEP"] = n.Step.ToString(CultureInfo.InvariantCulture);
            using var process = Process.Start(psi)!;
            await process.StandardInput.WriteAsync(n.Payload);
            process.StandardInput.Close();
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(TimeSpan.FromSeconds(30));
            var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(cts.Token), process.StandardError.ReadToEndAsync(cts.Token));
            try
            {
                await process.WaitForExitAsync(cts.Token);
                await drain;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return "command did not finish in 30 s";
            }
            return process.ExitCode == 0 ? null : $"command exited with {process.ExitCode}";
        }
        return $"hook '{n.Hook}' has neither a webhook nor a command";
    }

    /// <summary>HMAC-SHA256 over "timestamp.body", lowercase hex. Receivers recompute and compare in constant time.</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    public override void Dispose()
    {
        _http.Dispose();
        _running.Dispose();
        base.Dispose();
    }

    [LoggerMessage(1310, LogLevel.Information, "Notification {Id} delivered through hook {Hook} (attempt {Attempt})")]
    private static partial void LogDelivered(ILogger logger, long id, string hook, int attempt);

    [LoggerMessage(1311, LogLevel.Warning, "Notification {Id} through hook {Hook} failed (attempt {Attempt}): {Error}; retrying in {Seconds} s")]
    private static partial void LogRetry(ILogger logger, long id, string hook, int attempt, string error, double seconds);

    [LoggerMessage(1312, LogLevel.Error, "Hook dispatch failed")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
