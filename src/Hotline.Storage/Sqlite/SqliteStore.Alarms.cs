using Hotline.Core.Envelopes;
using Hotline.Core.Messages;
using Microsoft.Data.Sqlite;

namespace Hotline.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public IReadOnlyList<OverdueCandidate> FindOverdue(string peerId, Direction direction, Precedence precedence, string kind,
        DateTimeOffset createdAfter, DateTimeOffset createdBefore, TimeSpan deadline, int limit)
    {
        // Delivery deadlines concern our own undelivered messages; acknowledgement deadlines any unacknowledged message.
        var condition = kind == AlarmKinds.DeliveryOverdue
            ? "e.delivered_ms IS NULL AND e.acked_ms IS NULL"
            : "e.acked_ms IS NULL";
        var list = Query(
            $"""
            SELECT {Prefixed} FROM envelopes e
            WHERE e.kind = 1 AND e.rejected IS NULL AND e.acked_ms IS NULL AND e.direction = $dir AND e.precedence = $pr
              AND e.peer_id = $p AND e.created_ms > $after AND e.created_ms <= $before AND {condition}
              AND NOT EXISTS (SELECT 1 FROM alarms a WHERE a.message_id = e.id AND a.direction = e.direction AND a.kind = $kind)
            ORDER BY e.created_ms LIMIT $limit
            """,
            ("$dir", (int)direction), ("$pr", (int)precedence), ("$p", peerId), ("$after", createdAfter.ToUnixTimeMilliseconds()), ("$before", createdBefore.ToUnixTimeMilliseconds()),
            ("$kind", kind), ("$limit", limit));
        return list.Select(m => new OverdueCandidate(m, kind, m.Envelope.Created + deadline)).ToList();
    }

    private static readonly string Prefixed = string.Join(", ", MessageColumns.Split(", ").Select(c => "e." + c));

    public Task<Alarm?> RaiseAlarmAsync(Guid messageId, Direction direction, string peerId, string kind, string reason, CancellationToken ct = default) =>
        _queue.Enqueue(db =>
        {
            using var command = db.Command(
                $"""
                INSERT INTO alarms(message_id, direction, peer_id, kind, raised_ms, reason) VALUES($m, $d, $p, $k, $t, $r)
                ON CONFLICT(message_id, direction, kind) DO NOTHING
                RETURNING {AlarmColumns}
                """,
                ("$m", Uuid7.ToBytes(messageId)), ("$d", (int)direction), ("$p", peerId), ("$k", kind),
                ("$t", _time.GetUtcNow().ToUnixTimeMilliseconds()), ("$r", reason));
            return ReadAlarms(command).FirstOrDefault();
        }, ct);

    private const string AlarmColumns = "alarm_id, message_id, direction, peer_id, kind, raised_ms, step, step_ms, reason, cleared_ms, cleared_by";

    /// <summary>
    /// Open alarms, newest first, through the index of open alarms: by the key, SQLite walks every
    /// alarm ever raised (the deadline check asks every second).
    /// </summary>
    internal const string OpenAlarms = $"SELECT {AlarmColumns} FROM alarms INDEXED BY alarms_open WHERE cleared_ms IS NULL ORDER BY alarm_id DESC LIMIT $l";

    public IReadOnlyList<Alarm> ListAlarms(bool openOnly, int limit = 500)
    {
        using var db = Open();
        using var command = db.Command(openOnly ? OpenAlarms : $"SELECT {AlarmColumns} FROM alarms ORDER BY alarm_id DESC LIMIT $l", ("$l", limit));
        return ReadAlarms(command);
    }

    public Task AdvanceAlarmAsync(long alarmId, int step, IReadOnlyList<(string Hook, string Payload)> notifications, CancellationToken ct = default) =>
        _queue.Enqueue(db =>
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            db.Execute("UPDATE alarms SET step = $s, step_ms = $t WHERE alarm_id = $id AND step < $s", ("$s", step), ("$t", now), ("$id", alarmId));
            foreach (var (hook, payload) in notifications)
            {
                db.Execute(
                    """
                    INSERT INTO notifications(alarm_id, step, hook, payload, created_ms, next_ms) VALUES($a, $s, $h, $p, $t, $t)
                    ON CONFLICT(alarm_id, step, hook) DO NOTHING
                    """,
                    ("$a", alarmId), ("$s", step), ("$h", hook), ("$p", payload), ("$t", now));
            }
            return 0;
        }, ct);

    public Task<IReadOnlyList<Alarm>> ClearAlarmsAsync(Guid messageId, string clearedBy, CancellationToken ct = default) =>
        _queue.Enqueue(db => ClearAlarms(db, messageId, clearedBy, _time.GetUtcNow()), ct);

    private static IReadOnlyList<Alarm> ClearAlarms(SqliteConnection db, Guid messageId, string clearedBy, DateTimeOffset now)
    {
        using var command = db.Command(
            $"UPDATE alarms SET cleared_ms = $t, cleared_by = $by WHERE message_id = $m AND cleared_ms IS NULL RETURNING {AlarmColumns}",
            ("$t", now.ToUnixTimeMilliseconds()), ("$by", clearedBy), ("$m", Uuid7.ToBytes(messageId)));
        return ReadAlarms(command);
    }

    private static List<Alarm> ReadAlarms(SqliteCommand command)
    {
        using var r = command.ExecuteReader();
        var list = new List<Alarm>();
        while (r.Read())
        {
            list.Add(new Alarm
            {
                Id = r.GetInt64(0),
                MessageId = Uuid7.FromBytes((byte[])r[1]),
                Direction = (Direction)r.GetInt32(2),
                PeerId = r.GetString(3),
                Kind = r.GetString(4),
                RaisedAt = Time(r, 5)!.Value,
                Step = r.GetInt32(6),
                StepAt = Time(r, 7),
                Reason = r.GetString(8),
                ClearedAt = Time(r, 9),
                ClearedBy = r.IsDBNull(10) ? null : r.GetString(10),
            });
        }
        return list;
    }

    private const string NotificationColumns = "notification_id, alarm_id, step, hook, payload, attempts, next_ms, done_ms, last_error";

    public IReadOnlyList<Notification> DueNotifications(DateTimeOffset now, int limit) => Notifications(
        $"SELECT {NotificationColumns} FROM notifications WHERE done_ms IS NULL AND next_ms <= $t ORDER BY next_ms LIMIT $l",
        ("$t", now.ToUnixTimeMilliseconds()), ("$l", limit));

    public IReadOnlyList<Notification> ListNotifications(long? alarmId = null) => Notifications(
        $"SELECT {NotificationColumns} FROM notifications WHERE ($a IS NULL OR alarm_id = $a) ORDER BY notification_id", ("$a", alarmId));

    private List<Notification> Notifications(string sql, params (string, object?)[] args)
    {
        using var db = Open();
        using var command = db.Command(sql, args);
        using var r = command.ExecuteReader();
        var list = new List<Notification>();
        while (r.Read())
        {
            list.Add(new Notification
            {
                Id = r.GetInt64(0),
                AlarmId = r.GetInt64(1),
                Step = r.GetInt32(2),
                Hook = r.GetString(3),
                Payload = r.GetString(4),
                Attempts = r.GetInt32(5),
                NextAttempt = Time(r, 6)!.Value,
                DoneAt = Time(r, 7),
                LastError = r.IsDBNull(8) ? null : r.GetString(8),
            });
        }
        return list;
    }

    public Task RecordNotificationAttemptAsync(long notificationId, bool succeeded, string? error, DateTimeOffset nextAttempt, CancellationToken ct = default) =>
        _queue.Enqueue(db => db.Execute(
            """
            UPDATE notifications SET attempts = attempts + 1, last_error = $e, next_ms = $n,
                done_ms = CASE WHEN $ok = 1 THEN $now ELSE NULL END
            WHERE notification_id = $id
            """,
            ("$e", error), ("$n", nextAttempt.ToUnixTimeMilliseconds()), ("$ok", succeeded ? 1 : 0),
            ("$now", nextAttempt.ToUnixTimeMilliseconds()), ("$id", notificationId)), ct);
}
