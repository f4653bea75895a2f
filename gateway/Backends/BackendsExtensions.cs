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
        // Destinations such as http://mock-sandbox resolve through service discovery (services:mock-sandbox:http:0,
        // what an Aspire AppHost injects), for parts and control plane alike; literal URLs stay as they are.
        services.AddReverseProxy().LoadFromConfig(configuration.GetSection("ReverseProxy")).AddServiceDiscoveryDestinationResolver();
        services.AddControlPlaneClients(configuration);
        services.AddSingleton<BackendTypes>();
        services.AddSingleton<BackendRegistry>();
        return services;
    }
}
