using Gateway.Backends;
using Gateway.Sessions;
using Gateway.Sessions.Redis;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Gateway.Telemetry;

internal static class GatewayTelemetryExtensions
{
    /// <summary>
    /// The gateway's own ActivitySource and Meter into the OpenTelemetry set-up of service-defaults, the Redis
    /// command spans (unless <c>Gateway:Telemetry:RedisInstrumentation</c> is false), its instruments, the
    /// health checks behind <c>/readyz</c> and the gauges, and the recent-errors view.
    /// </summary>
    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(GatewayTelemetry.Name));
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(GatewayTelemetry.Name));
        if (configuration.GetValue($"{TelemetryOptions.Section}:{nameof(TelemetryOptions.RedisInstrumentation)}", true))
        {
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddRedisInstrumentation(redis =>
            {
                // Command names only (EVALSHA, ZCARD): with verbose statements the span would carry keys and
                // script arguments, which hold tenant names and lease tokens.
                redis.SetVerboseDatabaseStatements = false;
                // Commands outside any span (connection handshakes, the health checks, which run untraced)
                // would each be a trace of their own and bury the uploads' traces.
                redis.Filter = command => command.ParentActivity is not null;
            }));
        }
        services.AddMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<RecentErrors>();

        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>(StoreHealthCheck.Name, timeout: HealthTimeout);
        foreach (var backend in configuration.GetSection("Gateway:Backends").GetChildren())
        {
            var name = backend.Key;
            services.AddHealthChecks().Add(new HealthCheckRegistration(BackendHealthCheck.NameOf(name),
                sp => ActivatorUtilities.CreateInstance<BackendHealthCheck>(sp, name), failureStatus: null, tags: null, HealthTimeout));
        }
        services.AddSingleton<HealthGauges>();
        services.AddSingleton<IHealthCheckPublisher>(sp => sp.GetRequiredService<HealthGauges>());
        services.AddOptions<HealthCheckPublisherOptions>().Configure<IOptions<TelemetryOptions>>((publisher, telemetry) =>
        {
            publisher.Period = telemetry.Value.ProbeInterval;
            publisher.Timeout = HealthTimeout;
        });
        return services;
    }

    /// <summary>A check that has not answered by then counts as unreachable.</summary>
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(5);

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
