using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AppHost;

internal static class SystemResources
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Sends the service's OTLP export to <paramref name="endpoint"/> rather than to the dashboard: runs after
    /// Aspire's own OTLP callback, so it replaces the endpoint, the protocol and the dashboard's API key header.
    /// </summary>
    public static IResourceBuilder<ProjectResource> ExportTelemetryTo(this IResourceBuilder<ProjectResource> service, string endpoint, string? protocol) =>
        service.WithEnvironment(context =>
        {
            context.EnvironmentVariables[OtlpEndpointVariable] = endpoint;
            context.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"] = string.IsNullOrWhiteSpace(protocol) ? "grpc" : protocol;
            context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_HEADERS");
        });

    /// <summary>
    /// Makes the service listen where DCP says. Aspire says it with <c>ASPNETCORE_URLS</c>, but each service's
    /// appsettings.json names <c>Urls</c> (its stand-alone port), and appsettings.json outranks
    /// <c>ASPNETCORE_*</c> variables; a plain <c>Urls</c> variable outranks appsettings.json. Runs after Aspire's own
    /// callback, so the value is Aspire's, per replica.
    /// </summary>
    public static IResourceBuilder<ProjectResource> ListenWhereDcpSays(this IResourceBuilder<ProjectResource> project) =>
        project.WithEnvironment(context =>
        {
            if (context.EnvironmentVariables.TryGetValue("ASPNETCORE_URLS", out var urls))
            {
                context.EnvironmentVariables["Urls"] = urls;
            }
        });

    /// <summary>
    /// Points one YARP cluster destination of the gateway (see gateway/appsettings.Development.json) at a mock's
    /// endpoint, and references the mock so the dashboard draws the edge and the gateway waits for it.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBackend(this IResourceBuilder<ProjectResource> gateway,
        IResourceBuilder<ProjectResource> backend, string cluster, string destination) =>
        gateway.WithReference(backend)
            .WithEnvironment($"ReverseProxy__Clusters__{cluster}__Destinations__{destination}__Address", backend.GetEndpoint("http"))
            .WaitFor(backend);

    /// <summary>
    /// A <c>redis-server</c> on a port DCP picks (behind DCP's proxy), loopback only, nothing written to disk, and
    /// healthy once it answers <c>PING</c>.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddRedisServer(this IDistributedApplicationBuilder builder, string name, string path)
    {
        var redis = builder.AddExecutable(name, path, Path.GetTempPath())
            .WithEndpoint(name: "tcp", scheme: "tcp");
        var endpoint = redis.GetEndpoint("tcp");
        redis.WithArgs(context =>
        {
            context.Args.Add("--port");
            context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
            context.Args.Add("--bind");
            context.Args.Add("127.0.0.1");
            context.Args.Add("--save");
            context.Args.Add("");
            context.Args.Add("--appendonly");
            context.Args.Add("no");
            // Left to itself redis-server rewrites its command line and environment in place (its process title);
            // ./run finds what a run left by the environment.
            context.Args.Add("--set-proc-title");
            context.Args.Add("no");
        });
        var check = $"{name}-ping";
        builder.Services.AddHealthChecks().AddAsyncCheck(check, cancellationToken => PingAsync(endpoint, cancellationToken));
        return redis.WithHealthCheck(check);
    }

    /// <summary>One RESP <c>PING</c>; the reply must be <c>+PONG</c>.</summary>
    private static async Task<HealthCheckResult> PingAsync(EndpointReference endpoint, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var reply = new byte[7];
            var read = await stream.ReadAtLeastAsync(reply, 7, throwOnEndOfStream: false, cancellationToken);
            return Encoding.ASCII.GetString(reply, 0, read) == "+PONG\r\n"
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"redis-server answered PING with '{Encoding.ASCII.GetString(reply, 0, read).TrimEnd()}'");
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return HealthCheckResult.Unhealthy("redis-server does not answer yet", e);
        }
    }
}
