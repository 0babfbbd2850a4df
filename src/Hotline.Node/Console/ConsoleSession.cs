using System.Security.Claims;
using Hotline.Core.Messages;
using Hotline.Node.Messaging;
using Hotline.Node.Users;
using Hotline.Protocol;
using Hotline.Storage;
using Microsoft.AspNetCore.Components.Authorization;

namespace Hotline.Node.ConsoleUi;

/// <summary>
/// What a signed-in person may do from the console, one per circuit. Every action re-reads the
/// user (a disabled account or changed roles take effect at once), checks the role here on the
/// server, and writes the audit log. The components only decide what to show.
/// </summary>
public sealed class ConsoleSession(AuthenticationStateProvider auth, UserService users, IUserStore userStore, IHotlineStore store, IMessageHistory history, MessageService messages, ConsoleBus bus, ConsoleText consoleText)
{
    public const string StampClaim = "hotline.stamp";

    /// <summary>The signed-in person's language, for what the console says back.</summary>
    public ConsoleText Text => consoleText;

    public async Task<UserRecord?> UserAsync()
    {
        var principal = (await auth.GetAuthenticationStateAsync()).User;
        return FromPrincipal(users, principal);
    }

    public static UserRecord? FromPrincipal(UserService users, ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) && principal.FindFirstValue(StampClaim) is { } stamp
            ? users.Current(id, stamp)
            : null;

    public async Task<ConsoleResult<MessageView>> SendAsync(SendRequest request, CancellationToken ct = default)
    {
        var user = await UserAsync();
        if (user is null || !Roles.CanSend(user.Roles))
        {
            return await DeniedAsync<MessageView>(user, "message.send", $"{request.Precedence} to {request.Peer} on {request.Channel}");
        }
        // The body stays out of the log: the record holds it, signed.
        return await AuditedAsync(await messages.SendAsync(request, ct), user, "message.send", sent => $"{sent.Precedence} {sent.Id} to {sent.Peer} on {sent.Channel}", ct);
    }

    public async Task<ConsoleResult<MessageView>> AcknowledgeAsync(Guid id, string? reply, CancellationToken ct = default)
    {
        var user = await UserAsync();
        var message = store.FindMessage(id, Direction.Inbound);
        var precedence = message?.Envelope.Precedence ?? Precedence.Flash;
        if (user is null || !Roles.CanAcknowledge(user.Roles, precedence))
        {
            return await DeniedAsync<MessageView>(user, "message.acknowledge", $"{precedence.ToWire()} {id}",
                user is not null && Roles.CanSend(user.Roles) ? $"acknowledging {precedence.ToWire()} needs a watch officer" : null);
        }
        return await AuditedAsync(await messages.RespondAsync(id, EnvelopeKind.Acknowledgement, user.Name, string.IsNullOrWhiteSpace(reply) ? null : reply.Trim(), ct),
            user, "message.acknowledge", view => $"{view.Precedence} {id} from {view.Peer}", ct);
    }

    /// <summary>An inbound message was shown to a person who works the line: it is now seen, by them.</summary>
    public async Task MarkSeenAsync(IEnumerable<Guid> ids, CancellationToken ct = default)
    {
        var user = await UserAsync();
        if (user is null || !Roles.CanSend(user.Roles))
        {
            return;
        }
        foreach (var id in ids)
        {
            var result = await messages.RespondAsync(id, EnvelopeKind.Seen, user.Name, null, ct);
            if (result.Value is not null)
            {
                await AuditAsync(user.Name, "message.seen", id.ToString(), ct);
            }
        }
    }

    /// <summary>Messages with bodies, for those who may read them.</summary>
    public async Task<ConsoleResult<IReadOnlyList<MessageView>>> MessagesAsync(int limit, string? channel = null)
    {
        var user = await UserAsync();
        if (user is null || !Roles.CanRead(user.Roles))
        {
            return ConsoleResult<IReadOnlyList<MessageView>>.Fail(Text["error.noRead"]);
        }
        var language = Text.Language;
        return ConsoleResult<IReadOnlyList<MessageView>>.Ok(MessageView.WithTranslations(history.ListLatest(limit, channel).Select(m => MessageView.From(m, language)).ToList(), history));
    }

    /// <summary>A person who works the line translates a message of either direction.</summary>
    public Task<ConsoleResult<TranslationView>> TranslateAsync(Guid id, string language, string text, CancellationToken ct = default) =>
        ActAsync(Roles.CanSend, "message.translate", id.ToString(), async user =>
            await AuditedAsync(await messages.TranslateAsync(id, language, text, user.Name, ct), user, "message.translate", made => $"{made.Id} ({made.Language}) of {id}", ct));

    /// <summary>A second person who works the line certifies a translation; the node refuses the translator (409).</summary>
    public Task<ConsoleResult<CertificationView>> CertifyAsync(Guid translationId, string? remark, CancellationToken ct = default) =>
        ActAsync(Roles.CanSend, "translation.certify", translationId.ToString(), async user =>
            await AuditedAsync(await messages.CertifyAsync(translationId, user.Name, string.IsNullOrWhiteSpace(remark) ? null : remark.Trim(), ct),
                user, "translation.certify", _ => translationId.ToString(), ct));

    /// <summary>A node's answer as a console result; the action goes to the audit log, a refusal too (with its status, never a text).</summary>
    internal async Task<ConsoleResult<T>> AuditedAsync<T>(ApiResult<T> result, UserRecord user, string action, Func<T, string> detail, CancellationToken ct)
    {
        if (result.Value is not { } done)
        {
            await AuditAsync(user.Name, action + ".refused", $"{result.Status}", ct);
            return ConsoleResult<T>.Fail($"{result.Status}: {result.Error}. {result.Fix}");
        }
        await AuditAsync(user.Name, action, detail(done), ct);
        return ConsoleResult<T>.Ok(done);
    }

    /// <summary>The signed-in person chooses the language of their console.</summary>
    public async Task<ConsoleResult<UserRecord>> SetLanguageAsync(string language, CancellationToken ct = default)
    {
        var user = await UserAsync();
        if (user is null)
        {
            return await DeniedAsync<UserRecord>(user, "user.language", language);
        }
        var result = await users.SetLanguageAsync(user.Name, language, user.Name, ct);
        bus.Publish();
        return result.User is { } changed ? ConsoleResult<UserRecord>.Ok(changed) : ConsoleResult<UserRecord>.Fail(result.Error!);
    }

    public async Task<ConsoleResult<IReadOnlyList<AuditEntry>>> AuditLogAsync(int limit = 500)
    {
        var user = await UserAsync();
        if (user is null || !Roles.CanAudit(user.Roles))
        {
            return await DeniedAsync<IReadOnlyList<AuditEntry>>(user, "audit.read", "");
        }
        return ConsoleResult<IReadOnlyList<AuditEntry>>.Ok(userStore.ListAudit(limit));
    }

    public async Task<ConsoleResult<UserResult>> ManageUserAsync(string action, string detail, Func<string, Task<UserResult>> change)
    {
        var user = await UserAsync();
        if (user is null || !Roles.CanAdminister(user.Roles))
        {
            return await DeniedAsync<UserResult>(user, action, detail);
        }
        var result = await change(user.Name);
        bus.Publish();
        return result.Error is null ? ConsoleResult<UserResult>.Ok(result) : ConsoleResult<UserResult>.Fail(result.Error);
    }

    public async Task<ConsoleResult<IReadOnlyList<UserRecord>>> UsersAsync()
    {
        var user = await UserAsync();
        return user is not null && Roles.CanAdminister(user.Roles)
            ? ConsoleResult<IReadOnlyList<UserRecord>>.Ok(userStore.ListUsers())
            : ConsoleResult<IReadOnlyList<UserRecord>>.Fail(Text["error.usersAdminOnly"]);
    }

    public async Task<ConsoleResult<HandoverNote>> WriteHandoverAsync(string text, CancellationToken ct = default)
    {
        var user = await UserAsync();
        if (user is null || !Roles.CanHandOver(user.Roles))
        {
            return await DeniedAsync<HandoverNote>(user, "handover.write", "");
        }
        if (string.IsNullOrWhiteSpace(text) || text.Length > 8000)
        {
            return ConsoleResult<HandoverNote>.Fail(Text["error.handoverLength"]);
        }
        var note = await userStore.AddHandoverAsync(user.Name, text.Trim(), ct);
        await AuditAsync(user.Name, "handover.write", $"note {note.Id}", ct);
        return ConsoleResult<HandoverNote>.Ok(note);
    }

    public async Task<ConsoleResult<bool>> ConfirmHandoverAsync(long id, CancellationToken ct = default)
    {
        var user = await UserAsync();
        if (user is null || !Roles.CanHandOver(user.Roles))
        {
            return await DeniedAsync<bool>(user, "handover.confirm", $"note {id}");
        }
        var note = userStore.ListHandovers(500).FirstOrDefault(n => n.Id == id);
        if (note is null || note.ConfirmedAt is not null)
        {
            return ConsoleResult<bool>.Fail(Text["error.handoverUnknown"]);
        }
        if (string.Equals(note.WrittenBy, user.Name, StringComparison.OrdinalIgnoreCase))
        {
            return ConsoleResult<bool>.Fail(Text["error.handoverOwnNote"]);
        }
        await userStore.ConfirmHandoverAsync(id, user.Name, ct);
        await AuditAsync(user.Name, "handover.confirm", $"note {id} by {note.WrittenBy}", ct);
        return ConsoleResult<bool>.Ok(true);
    }

    public async Task<ConsoleResult<IReadOnlyList<HandoverNote>>> HandoversAsync()
    {
        var user = await UserAsync();
        return user is not null && (Roles.CanHandOver(user.Roles) || Roles.CanAudit(user.Roles))
            ? ConsoleResult<IReadOnlyList<HandoverNote>>.Ok(userStore.ListHandovers())
            : ConsoleResult<IReadOnlyList<HandoverNote>>.Fail(Text["error.handoverRoles"]);
    }

    /// <summary>
    /// Runs a console action for the signed-in person if <paramref name="may"/> allows their roles;
    /// otherwise refuses it and writes the refusal to the audit log. The action audits its own success.
    /// </summary>
    public async Task<ConsoleResult<T>> ActAsync<T>(Func<IReadOnlyList<string>, bool> may, string action, string detail, Func<UserRecord, Task<ConsoleResult<T>>> act) =>
        await ActAsync(await UserAsync(), may, action, detail, act);

    /// <summary>The same for a request outside the circuit (a download), whose user the caller has read from its cookie.</summary>
    public async Task<ConsoleResult<T>> ActAsync<T>(UserRecord? user, Func<IReadOnlyList<string>, bool> may, string action, string detail, Func<UserRecord, Task<ConsoleResult<T>>> act) =>
        user is not null && may(user.Roles) ? await act(user) : await DeniedAsync<T>(user, action, detail);

    public async Task RecordAsync(string action, string detail)
    {
        if (await UserAsync() is { } user)
        {
            await AuditAsync(user.Name, action, detail);
        }
    }

    public async Task AuditAsync(string actor, string action, string detail, CancellationToken ct = default)
    {
        await userStore.AuditAsync(actor, action, detail, ct);
        bus.Publish();
    }

    private async Task<ConsoleResult<T>> DeniedAsync<T>(UserRecord? user, string action, string detail, string? why = null)
    {
        await AuditAsync(user?.Name ?? "(signed out)", "denied", $"{action} {detail}".Trim());
        return ConsoleResult<T>.Fail(why ?? (user is null ? Text["error.sessionEnded"] : Text["error.notAllowed", action]));
    }
}

/// <summary>The outcome of a console action: a value, or an error to show.</summary>
public sealed record ConsoleResult<T>(T? Value, string? Error)
{
    public static ConsoleResult<T> Ok(T value) => new(value, null);
    public static ConsoleResult<T> Fail(string error) => new(default, error);
}
