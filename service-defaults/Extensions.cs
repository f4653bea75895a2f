using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ServiceDefaults;

/// <summary>
/// What every service of the solution does the same way, in the shape .NET Aspire's service defaults have:
/// OpenTelemetry (traces, metrics, logs; exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, as
/// an Aspire AppHost sets it), health checks behind <c>/healthz</c> and <c>/readyz</c>, service discovery for
/// HTTP clients, request bodies received in 64 KiB blocks (<see cref="LargeReceiveBlocks"/>) and a listen backlog of
/// thousands (<see cref="ListenBacklog"/>). <c>builder.AddServiceDefaults("name")</c> first, <c>app.MapDefaultEndpoints()</c> with the endpoints.
/// </summary>
/// <remarks>
/// No resilience handler here, unlike Aspire's template: the only service that calls out is the gateway, whose
/// control-plane client gets one of its own, and whose part path must never be retried (a retry would resend a
/// streamed body).
/// </remarks>
public static class Extensions
{
    /// <summary>The variable the OpenTelemetry specification names for the OTLP endpoint.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The specification's variable for the OTLP protocol: <c>grpc</c> (the default) or <c>http/protobuf</c>.</summary>
    public const string OtlpProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>The specification's variable for the metric export interval, in milliseconds.</summary>
    public const string MetricExportIntervalVariable = "OTEL_METRIC_EXPORT_INTERVAL";

    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";

    /// <summary>Checks tagged so run for <c>/healthz</c>; every other check runs for <c>/readyz</c> only.</summary>
    public const string LiveTag = "live";

    /// <summary>
    /// The metric export interval unless <c>OTEL_METRIC_EXPORT_INTERVAL</c> says otherwise: the SDK's default of
    /// 60 s makes a dashboard that refreshes every few seconds look frozen.
    /// </summary>
    private const int DefaultMetricExportIntervalMs = 15_000;

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, string serviceName) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddSecretFiles();
        builder.ConfigureOpenTelemetry(serviceName);
        builder.AddDefaultHealthChecks();
        // Names such as http://mock-sandbox resolve from configuration (services:mock-sandbox:http:0, what an
        // Aspire AppHost injects); literal addresses pass through unchanged.
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        builder.Services.AddLargeReceiveBlocks();
        builder.Services.AddListenBacklog();
        return builder;
    }

    /// <summary>The setting that names a folder of secret files (the container images set <c>/run/secrets</c>).</summary>
    public const string SecretsDirectoryKey = "SecretsDirectory";

    /// <summary>
    /// Secrets from files: each file in the folder <see cref="SecretsDirectoryKey"/> names (when it exists) is one
    /// setting, named by its file name with <c>__</c> for <c>:</c> (<c>Gateway__Backends__box__Credential</c>), so a
    /// Kubernetes Secret or a compose secret mounts as-is and no secret sits in an environment variable, where
    /// process listings and crash dumps show it. Added last: a file overrides the same setting from anywhere else.
    /// </summary>
    public static TBuilder AddSecretFiles<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (builder.Configuration[SecretsDirectoryKey] is { Length: > 0 } directory && Directory.Exists(directory))
        {
            builder.Configuration.AddKeyPerFile(files =>
            {
                // The provider leaves dot-prefixed entries out: a Kubernetes Secret's own ..data links are no settings.
                files.FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(directory);
                files.Optional = true;
            });
        }
        return builder;
    }

    /// <summary>
    /// Traces from ASP.NET Core, HttpClient and YARP, the ASP.NET Core, HttpClient and runtime meters, and logs
    /// carrying trace ids; a service adds its own sources and meters with
    /// <c>ConfigureOpenTelemetryTracerProvider</c> / <c>ConfigureOpenTelemetryMeterProvider</c>.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder, string serviceName) where TBuilder : IHostApplicationBuilder
    {
        var exportOtlp = OtlpEndpoint(builder.Configuration) is not null;

        // A log record written during a request carries that request's trace and span ids, in OpenTelemetry's
        // records and, through ActivityTrackingOptions, in every other provider's scopes.
        builder.Logging.Configure(logging => logging.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => Resource(resource, serviceName, builder.Environment.EnvironmentName, builder.Configuration[ResourceAttributesVariable]))
            .WithTracing(tracing => tracing
                // Probes of /healthz and /readyz every few seconds would bury the traces people look for.
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !IsHealthPath(context.Request.Path))
                // Sends traceparent with every call, for the control plane and for parts YARP forwards alike.
                .AddHttpClientInstrumentation()
                .AddSource("Yarp.ReverseProxy"))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation());

        if (exportOtlp)
        {
            // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS, _TIMEOUT and the per-signal
            // variables from the host's configuration itself (environment, appsettings or command line), and
            // appends /v1/{signal} to the endpoint over http/protobuf as the specification asks.
            otel.UseOtlpExporter();
            if (string.IsNullOrWhiteSpace(builder.Configuration[MetricExportIntervalVariable]))
            {
                builder.Services.Configure<MetricReaderOptions>(reader =>
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = DefaultMetricExportIntervalMs);
            }
        }
        return builder;
    }

    /// <summary>A liveness check that holds whenever the process answers.</summary>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// <c>GET /healthz</c>: the process answers (the <see cref="LiveTag"/> checks), always <c>{"status":"ok"}</c>.
    /// <c>GET /readyz</c>: every other check (a service's dependencies), <c>200 {"status":"ok","checks":{…}}</c>
    /// when all hold, else <c>503</c> with <c>"status":"unavailable"</c> and each check <c>ok</c> or
    /// <c>unreachable</c>. Both without authentication, for load balancers and orchestrators.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        Health(app.MapHealthChecks(LivenessPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = (context, _) => context.Response.WriteAsync("""{"status":"ok"}"""),
        }));
        Health(app.MapHealthChecks(ReadinessPath, new HealthCheckOptions
        {
            Predicate = check => !check.Tags.Contains(LiveTag),
            ResponseWriter = HealthResponse.WriteAsync,
        }));
        return app;
    }

    private static void Health(IEndpointConventionBuilder endpoint) => endpoint
        // GET only: MapHealthChecks answers every method, and a POST to a probe is a client's mistake (405).
        .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]))
        // Answered right after routing, before any of the service's middleware: no authentication, rate
        // limit, injected fault or error envelope stands between a load balancer and the answer.
        .ShortCircuit();

    private static bool IsHealthPath(PathString path) => path.Equals(LivenessPath) || path.Equals(ReadinessPath);

    /// <summary>
    /// The OTLP endpoint, or null when none is set (then nothing is exported). A value that is not an absolute
    /// http(s) URL stops the start: the exporter itself would ignore it silently and send to localhost.
    /// </summary>
    private static Uri? OtlpEndpoint(IConfiguration configuration)
    {
        var endpoint = configuration[OtlpEndpointVariable];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return null;
        }
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException(
                $"{OtlpEndpointVariable} must be an absolute http(s) URL such as http://localhost:4317; it is '{endpoint}'.");
        }
        if (configuration[OtlpProtocolVariable] is { Length: > 0 } protocol && protocol is not ("grpc" or "http/protobuf"))
        {
            throw new InvalidOperationException($"{OtlpProtocolVariable} must be grpc or http/protobuf; it is '{protocol}'.");
        }
        return uri;
    }

    /// <summary>The specification's variable for extra resource attributes (<c>key=value,…</c>).</summary>
    private const string ResourceAttributesVariable = "OTEL_RESOURCE_ATTRIBUTES";

    /// <summary>
    /// <c>service.name</c> (gateway, mock-sandbox, mock-box), <c>service.version</c>, <c>service.instance.id</c>
    /// (one per process, so instances behind one load balancer stay apart), <c>host.name</c> and
    /// <c>deployment.environment.name</c>; plus whatever <c>OTEL_RESOURCE_ATTRIBUTES</c> adds. The service name is
    /// fixed by the code: dashboards and alert rules select on it. The instance id is the one
    /// <c>OTEL_RESOURCE_ATTRIBUTES</c> names when it names one: an Aspire AppHost names each replica there, and its
    /// dashboard links a replica's telemetry to the replica by it.
    /// </summary>
    private static void Resource(ResourceBuilder resource, string serviceName, string environmentName, string? resourceAttributes)
    {
        var version = Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var instanceId = (resourceAttributes ?? "").Split(',')
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[0].Trim() == "service.instance.id" && pair[1].Trim().Length > 0)
            .Select(pair => Uri.UnescapeDataString(pair[1].Trim()))
            .LastOrDefault();
        resource
            .AddService(serviceName, serviceVersion: version, autoGenerateServiceInstanceId: false,
                serviceInstanceId: instanceId ?? $"{Environment.MachineName}-{Environment.ProcessId}")
            .AddAttributes(
            [
                new("host.name", Environment.MachineName),
                new("deployment.environment.name", environmentName),
            ]);
    }
}
