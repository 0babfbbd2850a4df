using Microsoft.Extensions.DependencyInjection;

namespace Hotline.Node.Supervision;

public static class SupervisionServices
{
    /// <summary>Link state recording, line tests (scheduled and by hand), the thread pool's watch and metrics.</summary>
    public static IServiceCollection AddHotlineSupervision(this IServiceCollection services)
    {
        services.AddSingleton<LinkStateRecorder>();
        services.AddSingleton<LineTestService>();
        services.AddHostedService(sp => sp.GetRequiredService<LineTestService>());
        services.AddSingleton<ThreadPoolWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<ThreadPoolWatch>());
        services.AddSingleton<NodeMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeMetrics>());
        return services;
    }
}
