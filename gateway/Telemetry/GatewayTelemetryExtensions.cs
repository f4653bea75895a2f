using Gateway.Backends;
using Gateway.Sessions;
using Gateway.Sessions.Redis;
using ServiceDefaults;

namespace Gateway.Telemetry;

internal static class GatewayTelemetryExtensions
{
    /// <summary>
    /// The gateway's own ActivitySource and Meter into the shared OpenTelemetry set-up (service-defaults), its
    /// instruments, the health probe behind its gauges, and the recent-errors view.
    /// </summary>
    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services)
    {
        services.AddServiceTelemetry([GatewayTelemetry.Name], [GatewayTelemetry.Name]);
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<RecentErrors>();
        services.AddSingleton<TelemetryProbe>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryProbe>());
        return services;
    }

    /// <summary>
    /// Spans and measurements around the store and every backend adapter. Call after the store is registered:
    /// it wraps whichever one Sessions chose.
    /// </summary>
    public static IServiceCollection AddGatewayTelemetryDecorators(this IServiceCollection services)
    {
        var store = services.LastOrDefault(d => d.ServiceType == typeof(ISessionStore) && d.ImplementationFactory is not null)
            ?? throw new InvalidOperationException("Register the session store before its telemetry.");
        services.Remove(store);
        services.AddSingleton<ISessionStore>(sp =>
        {
            var inner = (ISessionStore)store.ImplementationFactory!(sp);
            return new InstrumentedSessionStore(inner, sp.GetRequiredService<GatewayMetrics>(), inner is RedisSessionStore ? "redis" : "memory");
        });
        services.AddSingleton<BackendDecorator>(sp =>
        {
            var metrics = sp.GetRequiredService<GatewayMetrics>();
            return backend => new InstrumentedBackend(backend, metrics);
        });
        return services;
    }
}
