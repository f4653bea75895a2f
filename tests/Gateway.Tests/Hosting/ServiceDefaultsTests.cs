using System.Net;
using System.Net.Http.Json;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Instrumentation.StackExchangeRedis;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Hosting;

/// <summary>What the gateway takes from service-defaults and the standard packages, seen from outside.</summary>
public sealed class ServiceDefaultsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Theory]
    [InlineData("sandbox", "mock-sandbox")]
    [InlineData("box", "mock-box")]
    public async Task A_cluster_destination_named_by_service_resolves_through_service_discovery(string backend, string service)
    {
        // What an Aspire AppHost hands the gateway: a service name in the cluster, its address in services:…
        var destination = $"ReverseProxy:Clusters:{backend}-cluster:Destinations:one:Address";
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            s[$"services:{service}:http:0"] = s[destination];
            s[destination] = $"http://{service}";
        });
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(GatewayHarness.PartSize, seed: 81);

        var id = (backend == "sandbox"
            ? await client.CreateSandboxFileAsync(file.Length, "/workspace/discovered.bin")
            : await client.CreateBoxFileAsync(file.Length, "discovered.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, GatewayHarness.PartSize);
        var completed = backend == "sandbox" ? await client.CompleteAsync(id) : await client.CompleteAsync(id, new { checksum = new { sha1 = TestData.Sha1Hex(file) } });

        Assert.Equal(file.Length, (await ExpectAsync(completed, HttpStatusCode.OK)).GetProperty("accepted_bytes").GetInt64());
        using var ready = await client.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task A_control_plane_call_the_backend_fails_once_is_retried_when_resending_is_safe()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        // The sandbox's create carries an Idempotency-Key: a second attempt gets the same backend session.
        using (var mock = system.Sandbox.CreateClient())
        {
            (await mock.PostAsJsonAsync("/_mock/faults", new { kind = "error", method = "POST", path = "/uploads", status = 503, count = 1 })).EnsureSuccessStatusCode();
        }

        var created = await client.CreateSandboxFileAsync(GatewayHarness.PartSize, "/workspace/retried.bin");

        Assert.StartsWith("up_", created.GetProperty("upload_id").GetString());
        // A part is never resent by the gateway (its body streamed once): BackendFaultTests shows the client gets the 503.
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    public async Task Redis_command_spans_are_on_unless_configured_off(string? setting, bool expected)
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s => s["Gateway:Telemetry:RedisInstrumentation"] = setting);

        Assert.Equal(expected, system.Gateway.Services.GetService<StackExchangeRedisInstrumentation>() is not null);
    }
}
