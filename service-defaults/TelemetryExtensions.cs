using System.Reflection;
using Microsoft.AspNetCore.Hosting;
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

    /// <summary>The specification's variable for the metric export interval, in milliseconds.</summary>
    public const string MetricExportIntervalVariable = "OTEL_METRIC_EXPORT_INTERVAL";

    /// <summary>
    /// The native ActivitySources every service is traced with: ASP.NET Core's server spans (which take the
    /// parent from an incoming W3C <c>traceparent</c>), HttpClient's client spans (which send one), and YARP's
    /// forwarding spans.
    /// </summary>
    public static readonly IReadOnlyList<string> BuiltInSources = ["Microsoft.AspNetCore", "System.Net.Http", "Yarp.ReverseProxy"];

    /// <summary>The native meters: requests and connections served, HTTP calls made, and the runtime (GC, CPU, threads).</summary>
    public static readonly IReadOnlyList<string> BuiltInMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "System.Runtime"];

    /// <summary>
    /// The metric export interval unless <c>OTEL_METRIC_EXPORT_INTERVAL</c> says otherwise: the SDK's default of
    /// 60 s makes a dashboard that refreshes every few seconds look frozen.
    /// </summary>
    private const int DefaultMetricExportIntervalMs = 15_000;

    /// <summary>
    /// OpenTelemetry for one service: traces from ASP.NET Core, HttpClient and YARP plus the service's own
    /// sources, the built-in meters plus its own, and logs carrying trace ids. Exported over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (see <see cref="OtlpSettings"/>), nowhere otherwise.
    /// </summary>
    /// <remarks>
    /// OpenTelemetry.Extensions.Hosting is not available here (ENVIRONMENT.md), so the tracer and meter providers
    /// are built with the core SDK when the host starts and disposed (flushing exporters) when it stops.
    /// </remarks>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, string serviceName)
    {
        var otlp = OtlpSettings.From(builder.Configuration);
        var metricInterval = string.IsNullOrWhiteSpace(builder.Configuration[MetricExportIntervalVariable]) ? DefaultMetricExportIntervalMs : (int?)null;
        var resource = Resource(serviceName, builder.Environment.EnvironmentName);

        builder.Services.AddOptions<ServiceTelemetryOptions>();
        // The implementation type must be named: TryAddEnumerable refuses a factory whose type is just IHostedService.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TelemetryProviders>(
            sp => new TelemetryProviders(sp.GetRequiredService<IOptions<ServiceTelemetryOptions>>().Value, resource, otlp, metricInterval)));

        builder.Services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, HttpServerSpans>());

        // Always through OpenTelemetry, exporter or not, so a log record written during a request carries that
        // request's trace and span ids wherever it ends up (ActivityTrackingOptions does the same for the console).
        builder.Logging.Configure(logging => logging.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.SetResourceBuilder(resource);
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            if (otlp is not null)
            {
                logging.AddOtlpExporter(exporter => otlp.Apply(exporter, "logs"));
            }
        });
        builder.Services.AddOptions<OpenTelemetryLoggerOptions>().Configure<IOptions<ServiceTelemetryOptions>>((logging, telemetry) =>
        {
            foreach (var configure in telemetry.Value.ConfigureLogging)
            {
                configure(logging);
            }
        });

        return builder;
    }

    /// <summary>Adds the service's own ActivitySource and Meter names to what is collected.</summary>
    public static IServiceCollection AddServiceTelemetry(this IServiceCollection services, string[] activitySources, string[] meters) =>
        services.Configure<ServiceTelemetryOptions>(options =>
        {
            options.ActivitySources.AddRange(activitySources);
            options.Meters.AddRange(meters);
        });

    /// <summary>
    /// <c>service.name</c> (gateway, mock-sandbox, mock-box), <c>service.version</c>, <c>service.instance.id</c>
    /// (one per process, so instances behind one load balancer stay apart), <c>host.name</c> and
    /// <c>deployment.environment.name</c>; plus whatever <c>OTEL_RESOURCE_ATTRIBUTES</c> adds. The service name is
    /// fixed by the code: dashboards and alert rules select on it.
    /// </summary>
    public static ResourceBuilder Resource(string serviceName, string environmentName)
    {
        var version = Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return ResourceBuilder.CreateDefault()
            .AddService(serviceName, serviceVersion: version, autoGenerateServiceInstanceId: false,
                serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}")
            .AddAttributes(
            [
                new("host.name", Environment.MachineName),
                new("deployment.environment.name", environmentName),
            ]);
    }

    private sealed class TelemetryProviders(ServiceTelemetryOptions options, ResourceBuilder resource, OtlpSettings? otlp, int? metricIntervalMs)
        : IHostedLifecycleService
    {
        private TracerProvider? _tracer;
        private MeterProvider? _meter;

        // Built before any other hosted service starts, so the first request Kestrel takes is traced.
        public Task StartingAsync(CancellationToken cancellationToken)
        {
            var tracing = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(resource)
                .AddSource([.. BuiltInSources])
                .AddSource([.. options.ActivitySources]);
            foreach (var configure in options.ConfigureTracing)
            {
                configure(tracing);
            }
            if (otlp is not null)
            {
                tracing.AddOtlpExporter(exporter => otlp.Apply(exporter, "traces"));
            }
            _tracer = tracing.Build();

            // Without a reader nothing reads the meters: build the meter provider only when something will.
            if (otlp is not null || options.ConfigureMetrics.Count > 0)
            {
                var metrics = Sdk.CreateMeterProviderBuilder()
                    .SetResourceBuilder(resource)
                    .AddMeter([.. BuiltInMeters])
                    .AddMeter([.. options.Meters]);
                foreach (var configure in options.ConfigureMetrics)
                {
                    configure(metrics);
                }
                if (otlp is not null)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        otlp.Apply(exporter, "metrics");
                        if (metricIntervalMs is { } interval)
                        {
                            reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                        }
                    });
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
