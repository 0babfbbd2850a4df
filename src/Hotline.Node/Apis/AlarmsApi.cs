using Hotline.Node.Alarms;
using Hotline.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Hotline.Node.Apis;

public static class AlarmsApi
{
    public static RouteGroupBuilder MapAlarmsApi(this RouteGroupBuilder api)
    {
        // What waits for a person, both directions, with time left or overdue by and, if overdue, fault or choice.
        api.MapGet("/pending", (PendingService pending) => Results.Ok(pending.List()));
        api.MapGet("/alarms", (IHotlineStore store, bool? open) =>
            Results.Ok(store.ListAlarms(open ?? false).Select(a => new
            {
                alarm = AlarmService.View(a),
                notifications = store.ListNotifications(a.Id),
            })));
        return api;
    }
}
