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
}
