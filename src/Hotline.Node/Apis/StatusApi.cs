using Hotline.Node.Alarms;
using Hotline.Node.Hosting;
using Hotline.Node.Link;
using Hotline.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Hotline.Node.Apis;

public static class StatusApi
{
    public static RouteGroupBuilder MapStatusApi(this RouteGroupBuilder api)
    {
        api.MapGet("/status", (NodeInfo node, PeerDirectory directory, LinkManager links, LinkPolicy policy, IHotlineStore store,
            PendingService pending, TimeProvider time) =>
            Results.Ok(new
            {
                name = node.Name,
                id = node.Key.Id,
                fingerprint = node.Fingerprint,
                started = node.Started,
                uptimeSeconds = (time.GetUtcNow() - node.Started).TotalSeconds,
                peers = directory.All.Select(p => PeerView.From(p, links.Find(p.Id), store.Counts(p.Id), policy)),
                overdue = pending.List().Overdue,
                alarms = store.ListAlarms(openOnly: true).Select(AlarmService.View),
                securityEvents = store.ListSecurityEvents(20),
            }));
        return api;
    }
}
