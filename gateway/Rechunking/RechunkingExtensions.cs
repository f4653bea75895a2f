using Microsoft.Extensions.Options;

namespace Gateway.Rechunking;

internal static class RechunkingExtensions
{
    public static IServiceCollection AddRechunking(this IServiceCollection services)
    {
        services.AddOptions<RechunkingOptions>().BindConfiguration(RechunkingOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.StagingDirectory), $"{RechunkingOptions.Section}:StagingDirectory may not be empty.")
            .Validate(o => o.SweepInterval > TimeSpan.Zero, $"{RechunkingOptions.Section}:SweepInterval must be positive.")
            .ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<RechunkingOptions>, PrivateStaging>();
        services.AddSingleton<ChunkStaging>();
        services.AddSingleton<WriterLock>();
        services.AddSingleton<Rechunker>();
        services.AddSingleton<StagingSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<StagingSweeper>());
        return services;
    }

    /// <summary>The staging folder exists, private to this user, before the first upload (checked at start).</summary>
    private sealed class PrivateStaging : IPostConfigureOptions<RechunkingOptions>
    {
        public void PostConfigure(string? name, RechunkingOptions options)
        {
            if (!string.IsNullOrWhiteSpace(options.StagingDirectory))
            {
                Domain.PrivateFolder.Ensure(options.StagingDirectory, $"{RechunkingOptions.Section}:StagingDirectory");
            }
        }
    }
}
