using Hotline.Storage.Transcript;
using Microsoft.Extensions.DependencyInjection;

namespace Hotline.Node.Transcript;

public static class TranscriptServices
{
    /// <summary>The checkpoint exchange and its scheduler, on the node's store.</summary>
    public static IServiceCollection AddHotlineTranscript(this IServiceCollection services, ITranscriptStore store)
    {
        services.AddSingleton(store);
        services.AddSingleton<TranscriptExchange>();
        services.AddSingleton<CheckpointService>();
        services.AddHostedService(sp => sp.GetRequiredService<CheckpointService>());
        return services;
    }
}
