using AppHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// The whole system on one machine, under Aspire's orchestrator (DCP): a Redis, both mocks and the gateway in front
// of them, every service exporting traces, metrics and logs to the Aspire dashboard. The public ports are the
// README's (gateway 5080, mock-sandbox 5081, mock-box 5082); each is DCP's proxy in front of the process, which
// listens on a port DCP picks, so the gateway's replicas share 5080 and a test can randomize all of them.
var builder = DistributedApplication.CreateBuilder(args);

var store = StoreChoice.From(builder.Configuration);
var objectStore = ObjectStoreChoice.From(builder.Configuration);

// The mocks in their Production settings (their dev keys and sandbox), as `dotnet run --project mock-*` runs them.
var mockSandbox = builder.AddProject<Projects.MockSandbox>("mock-sandbox")
    .WithHttpEndpoint(port: 5081, name: "http")
    .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Production")
    .ListenWhereDcpSays();
var mockBox = builder.AddProject<Projects.MockBox>("mock-box")
    .WithHttpEndpoint(port: 5082, name: "http")
    .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Production")
    .ListenWhereDcpSays();

// Development: the dev tenant (dev-gateway-key) and the two backends; the endpoint (5080) is the launch profile's.
var gateway = builder.AddProject<Projects.Gateway>("gateway", launchProfileName: "gateway")
    .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
    .ListenWhereDcpSays()
    .WithBackend(mockSandbox, cluster: "sandbox", destination: "mock-sandbox")
    .WithBackend(mockBox, cluster: "box", destination: "mock-box")
    .WithHttpHealthCheck("/readyz");

switch (store.Kind)
{
    case StoreKind.RedisServer:
        var redisServer = builder.AddRedisServer("redis", store.RedisServerPath!);
        var endpoint = redisServer.GetEndpoint("tcp");
        gateway.WithReference(endpoint)
            .WithEnvironment("Gateway__Store__Redis", ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.Host)}:{endpoint.Property(EndpointProperty.Port)}"))
            .WaitFor(redisServer)
            .WithReplicas(2);
        break;
    case StoreKind.Container:
        var redisContainer = builder.AddRedis("redis");
        gateway.WithReference(redisContainer)
            .WithEnvironment("Gateway__Store__Redis", redisContainer.Resource.ConnectionStringExpression)
            .WaitFor(redisContainer)
            .WithReplicas(2);
        break;
    case StoreKind.External:
        gateway.WithEnvironment("Gateway__Store__Redis", store.ExternalConnectionString)
            .WithReplicas(2);
        break;
    default:
        // The embedded store lives in the gateway's memory: a second replica would not see the first one's sessions.
        gateway.WithEnvironment("Gateway__Store__Redis", "");
        break;
}

// The S3 backend "objects": a one-node Ceph RGW when radosgw is installed, or the store the environment names.
builder.AddObjectStore(gateway, objectStore);

// The Uppy demo on its own origin (5090), uploading to the gateway's public address with upload tokens.
builder.AddDemo(gateway, "http://127.0.0.1:5080");

// OTEL_EXPORTER_OTLP_ENDPOINT given to the AppHost (./run passes its environment on): the services export there,
// e.g. to observability/'s collector, instead of to the dashboard, which then shows resources and console logs.
if (builder.Configuration[SystemResources.OtlpEndpointVariable] is { Length: > 0 } collector)
{
    var protocol = builder.Configuration["OTEL_EXPORTER_OTLP_PROTOCOL"];
    foreach (var service in new[] { mockSandbox, mockBox, gateway })
    {
        service.ExportTelemetryTo(collector, protocol);
    }
}

var app = builder.Build();
// ./run prints this line; the dashboard shows the same resources.
var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AppHost");
Log.StoreChosen(logger, store.Description);
Log.ObjectStoreChosen(logger, objectStore.Description);
app.Run();
