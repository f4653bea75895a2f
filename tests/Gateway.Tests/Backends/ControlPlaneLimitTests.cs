using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Tests.Support;
using Microsoft.Extensions.Options;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Backends;

/// <summary>
/// The bound on one instance's control-plane calls to a backend (<c>ControlPlaneConcurrency</c>) and its queue
/// (<c>ControlPlaneQueue</c>): a burst beyond the bound waits its turn; beyond the queue it is refused at once with
/// 503 <c>backend_unavailable</c> and <c>Retry-After</c>, before it reaches the backend.
/// </summary>
public sealed class ControlPlaneLimitTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string SlowCreates = "/uploads";

    [Fact]
    public async Task A_burst_of_creates_beyond_the_control_plane_limit_waits_in_its_queue_and_every_create_succeeds()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            s["Gateway:Backends:sandbox:ControlPlaneConcurrency"] = "1";
            s["Gateway:Backends:sandbox:ControlPlaneQueue"] = "8";
        });
        using var client = new ContractClient(system.Client());
        // Each create holds the one permit a while, so the others of the burst arrive while it is taken.
        await BackendCalls.FaultAsync(system.Sandbox, new { kind = "latency", method = "POST", path = SlowCreates, latency_ms = 300, count = 6 });

        var burst = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => client.CreateAsync(new
        {
            backend = "sandbox",
            target = new { sandbox_id = GatewayHarness.SandboxId, path = $"/workspace/burst-{i}.bin" },
            content_length = 1,
        })));

        foreach (var response in burst)
        {
            using (response)
            {
                await ExpectAsync(response, HttpStatusCode.Created);
            }
        }
        Assert.Equal(0, await FaultsLeftAsync(system.Sandbox));
    }

    [Fact]
    public async Task A_create_beyond_the_control_plane_queue_is_backend_unavailable_with_retry_after_and_never_reaches_the_backend()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            s["Gateway:Backends:sandbox:ControlPlaneConcurrency"] = "1";
            s["Gateway:Backends:sandbox:ControlPlaneQueue"] = "0";
        });
        using var client = new ContractClient(system.Client());
        // The first create sits at the mock long enough for the second to find the permit taken; the rule's
        // count says when the mock has it (2 → 1), and stays at 1 unless another create reaches the mock.
        await BackendCalls.FaultAsync(system.Sandbox, new { kind = "latency", method = "POST", path = SlowCreates, latency_ms = 3000, count = 2 });
        var first = client.CreateSandboxFileAsync(1, "/workspace/first.bin");
        await WaitUntilAsync(async () => await FaultsLeftAsync(system.Sandbox) == 1);

        using var refused = await client.CreateAsync(new
        {
            backend = "sandbox",
            target = new { sandbox_id = GatewayHarness.SandboxId, path = "/workspace/second.bin" },
            content_length = 1,
        });

        var problem = await ExpectProblemAsync(refused, 503, "backend_unavailable");
        Assert.Contains("1 calls to this backend in flight and 0 waiting", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(1, await FaultsLeftAsync(system.Sandbox));
        await first;
        await client.CreateSandboxFileAsync(1, "/workspace/second.bin");
    }

    [Theory]
    [InlineData("ControlPlaneConcurrency", "0")]
    [InlineData("ControlPlaneQueue", "-1")]
    public async Task A_control_plane_limit_out_of_range_stops_the_gateway_at_start_up_naming_it(string field, string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            GatewayHarness.StartAsync(redis, gateway: s => s[$"Gateway:Backends:sandbox:{field}"] = value));

        Assert.Contains($"Gateway:Backends:sandbox:{field}", error.Message, StringComparison.Ordinal);
    }

    /// <summary>How many more times the latency rule fires: 0 once it is used up (the mock then drops it).</summary>
    private static async Task<int> FaultsLeftAsync(LoopbackApp mock)
    {
        using var http = mock.CreateClient();
        var rules = await http.GetFromJsonAsync<JsonElement>("/_mock/faults");
        return rules.EnumerateArray().Sum(r => r.GetProperty("count").GetInt32());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 1000 && !await condition(); i++)
        {
            await Task.Delay(10);
        }
    }
}
