using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ServiceDefaults;

public static class TelemetryExtensions
{
    /// <summary>The variable the OpenTelemetry specification names for the OTLP endpoint.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// OpenTelemetry for one service: traces from ASP.NET Core, HttpClient and YARP plus the service's own
    /// sources, the built-in ASP.NET Core, Kestrel and HttpClient meters plus its own, and logs carrying
    /// trace ids. Exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, nowhere otherwise.
    /// </summary>
    /// <remarks>
    /// OpenTelemetry.Extensions.Hosting is not available here (ENVIRONMENT.md), so the providers are built
    /// with the core SDK when the host starts and disposed (flushing exporters) when it stops.
    /// </remarks>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, string serviceName)
    {
        var exportOtlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]);
        var resource = ResourceBuilder.CreateDefault()
            .AddService(serviceName, serviceVersion: typeof(TelemetryExtensions).Assembly.GetName().Version?.ToString(),
                serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}")
            .AddAttributes([new("deployment.environment.name", builder.Environment.EnvironmentName)]);

        builder.Services.AddOptions<ServiceTelemetryOptions>();
        // The implementation type must be named: TryAddEnumerable refuses a factory whose type is just IHostedService.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TelemetryProviders>(
            sp => new TelemetryProviders(sp.GetRequiredService<IOptions<ServiceTelemetryOptions>>().Value, resource, exportOtlp)));

        if (exportOtlp)
        {
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.SetResourceBuilder(resource);
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
                logging.AddOtlpExporter();
            });
        }

        return builder;
    }

    /// <summary>Adds the service's own ActivitySource and Meter names to what is collected.</summary>
    public static IServiceCollection AddServiceTelemetry(this IServiceCollection services, string[] activitySources, string[] meters) =>
        services.Configure<ServiceTelemetryOptions>(options =>
        {
            options.ActivitySources.AddRange(activitySources);
            options.Meters.AddRange(meters);
        });

    private sealed class TelemetryProviders(ServiceTelemetryOptions options, ResourceBuilder resource, bool exportOtlp) : IHostedLifecycleService
    {
        private TracerProvider? _tracer;
        private MeterProvider? _meter;

        // Built before any other hosted service starts, so the first request Kestrel takes is traced.
        public Task StartingAsync(CancellationToken cancellationToken)
        {
            var tracing = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(resource)
                .AddSource("Microsoft.AspNetCore", "System.Net.Http", "Yarp.ReverseProxy")
                .AddSource([.. options.ActivitySources]);
            foreach (var configure in options.ConfigureTracing)
            {
                configure(tracing);
            }
            if (exportOtlp)
            {
                tracing.AddOtlpExporter();
            }
            _tracer = tracing.Build();

            // Without a reader nothing reads the meters: build the meter provider only when something will.
            if (exportOtlp || options.ConfigureMetrics.Count > 0)
            {
                var metrics = Sdk.CreateMeterProviderBuilder()
                    .SetResourceBuilder(resource)
                    .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http")
                    .AddMeter([.. options.Meters]);
                foreach (var configure in options.ConfigureMetrics)
                {
                    configure(metrics);
                }
                if (exportOtlp)
                {
                    metrics.AddOtlpExporter();
                }
                _meter = metrics.Build();
            }
            return Task.CompletedTask;
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        // Disposing flushes what the exporters still hold.
        public Task StoppedAsync(CancellationToken cancellationToken)
        {
            _tracer?.Dispose();
            _meter?.Dispose();
            return Task.CompletedTask;
        }
    }
}
