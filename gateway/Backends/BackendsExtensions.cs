using Microsoft.Extensions.Options;

namespace Gateway.Backends;

internal static class BackendsExtensions
{
    /// <summary>The backends of <c>Gateway:Backends</c> over the YARP clusters of <c>ReverseProxy:Clusters</c>.</summary>
    public static IServiceCollection AddBackends(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BackendCatalogOptions>().BindConfiguration(BackendCatalogOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BackendCatalogOptions>, BackendCatalogValidation>();
        // Clusters only: the gateway maps no proxy routes; it forwards parts itself through IHttpForwarder.
        services.AddReverseProxy().LoadFromConfig(configuration.GetSection("ReverseProxy"));
        services.AddSingleton<BackendRegistry>();
        return services;
    }
}
