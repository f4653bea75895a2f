using System.Net;
using System.Net.Http.Json;
using Gateway.Sessions;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Api.V1;

/// <summary>Backend faults, injected through the mocks' /_mock/ surface, map to the contract's codes and leave progress exact.</summary>
public sealed class BackendFaultTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;

    private static async Task InjectAsync(LoopbackApp mock, object rule)
    {
        using var http = mock.CreateClient();
        using var response = await http.PostAsJsonAsync("/_mock/faults", rule);
        response.EnsureSuccessStatusCode();
    }

    [Theory]
    [InlineData("sandbox", 503)]
    [InlineData("sandbox", 500)]
    [InlineData("sandbox", 408)]
    [InlineData("box", 503)]
    [InlineData("box", 429)]
    public async Task A_backend_error_on_a_part_is_backend_unavailable_and_the_retry_counts_once(string backend, int status)
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(2 * PartSize, seed: 4);
        var id = (backend == "sandbox"
            ? await client.CreateSandboxFileAsync(file.Length, "/workspace/faulty.bin")
            : await client.CreateBoxFileAsync(file.Length, "faulty.bin")).GetProperty("upload_id").GetString()!;
        await InjectAsync(backend == "sandbox" ? system.Sandbox : system.Box, new { kind = "error", method = "PUT", status, count = 1, retry_after = 2 });

        var problem = await ExpectProblemAsync(await client.PutPartAsync(id, 1, Slice(file, 1, PartSize)), 503, "backend_unavailable");
        Assert.Equal(id, problem.GetProperty("upload_id").GetString());
        Assert.Equal(0, (await client.GetOkAsync(id)).GetProperty("accepted_bytes").GetInt64());

        await client.PutPartOkAsync(id, 1, file, PartSize);
        await client.PutPartOkAsync(id, 1, file, PartSize);
        Assert.Equal(PartSize, (await client.GetOkAsync(id)).GetProperty("accepted_bytes").GetInt64());
    }

    [Theory]
    [InlineData("sandbox")]
    [InlineData("box")]
    public async Task A_connection_dropped_mid_part_is_backend_unavailable_and_leaves_nothing_counted(string backend)
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(2 * PartSize, seed: 6);
        var id = (backend == "sandbox"
            ? await client.CreateSandboxFileAsync(file.Length, "/workspace/dropped.bin")
            : await client.CreateBoxFileAsync(file.Length, "dropped.bin")).GetProperty("upload_id").GetString()!;
        await InjectAsync(backend == "sandbox" ? system.Sandbox : system.Box, new { kind = "drop", method = "PUT", after_bytes = PartSize / 2, count = 1 });

        await ExpectProblemAsync(await client.PutPartAsync(id, 2, Slice(file, 2, PartSize)), 503, "backend_unavailable");
        var status = await client.GetOkAsync(id);
        Assert.Equal(0, status.GetProperty("accepted_bytes").GetInt64());
        Assert.Equal(0, status.GetProperty("parts_in_flight").GetInt32());

        await client.PutPartOkAsync(id, 2, file, PartSize);
        await client.PutPartOkAsync(id, 1, file, PartSize);
        var complete = backend == "sandbox" ? await client.CompleteAsync(id) : await client.CompleteAsync(id, new { checksum = new { sha1 = TestData.Sha1Hex(file) } });
        Assert.Equal(file.Length, (await ExpectAsync(complete, HttpStatusCode.OK)).GetProperty("accepted_bytes").GetInt64());
    }

    [Fact]
    public async Task Backend_latency_slows_parts_without_failing_them()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(PartSize);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/slow.bin")).GetProperty("upload_id").GetString()!;
        await InjectAsync(system.Sandbox, new { kind = "latency", latency_ms = 300 });

        await client.PutPartOkAsync(id, 1, file, PartSize);
        await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);
    }

    [Fact]
    public async Task More_parts_in_flight_than_max_concurrency_get_429_with_retry_after()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s => s["Gateway:Tenants:acme:Limits:MaxConcurrency"] = "2");
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(3 * PartSize);
        var created = await client.CreateSandboxFileAsync(file.Length, "/workspace/crowded.bin");
        Assert.Equal(2, created.GetProperty("max_concurrency").GetInt32());
        var id = created.GetProperty("upload_id").GetString()!;
        await InjectAsync(system.Sandbox, new { kind = "latency", method = "PUT", latency_ms = 1500, count = 2 });

        var slow = new[] { 1, 2 }.Select(n => client.PutPartAsync(id, n, Slice(file, n, PartSize))).ToArray();
        await WaitUntilAsync(async () => (await client.GetOkAsync(id)).GetProperty("parts_in_flight").GetInt32() == 2);
        using var third = await client.PutPartAsync(id, 3, Slice(file, 3, PartSize));

        await ExpectProblemAsync(third, 429, "concurrency_limit");
        Assert.NotNull(third.Headers.RetryAfter);
        foreach (var response in await Task.WhenAll(slow))
        {
            await ExpectAsync(response, HttpStatusCode.OK);
        }
        await client.PutPartOkAsync(id, 3, file, PartSize);
    }

    [Fact]
    public async Task A_backend_that_cannot_be_reached_is_backend_unavailable_and_not_ready()
    {
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
            s["ReverseProxy:Clusters:sandbox-cluster:Destinations:one:Address"] = $"http://127.0.0.1:{RedisServer.FreePort()}/");
        using var client = new ContractClient(system.Client());

        using var response = await client.CreateAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path = "/workspace/x" }, content_length = 1 });

        var problem = await ExpectProblemAsync(response, 503, "backend_unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
        using var ready = await client.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("\"backend:sandbox\":\"unreachable\"", await ready.Content.ReadAsStringAsync());
        Assert.DoesNotContain("127.0.0.1", problem.GetProperty("detail").GetString()!);
    }

    [Fact]
    public async Task A_store_that_cannot_be_reached_is_store_unavailable_and_not_ready()
    {
        await using var system = await GatewayHarness.StartAsync(gateway: s =>
            s["Gateway:Store:Redis"] = $"127.0.0.1:{RedisServer.FreePort()},connectTimeout=200,syncTimeout=500");
        using var client = new ContractClient(system.Client());

        using var response = await client.Http.GetAsync("/v1/uploads/up_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");

        await ExpectProblemAsync(response, 503, "store_unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
        using var ready = await client.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("\"store\":\"unreachable\"", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_box_part_stored_before_its_answer_was_lost_is_recognized_from_boxs_parts_list_on_retry()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(2 * PartSize, seed: 12);
        var id = (await client.CreateBoxFileAsync(file.Length, "lost-answer.bin")).GetProperty("upload_id").GetString()!;
        // Box got part 1 but the gateway never recorded it (an instance died between Box's 200 and the store).
        var session = await system.Gateway.Services.GetRequiredService<ISessionStore>().GetAsync(id, null, default);
        using (var box = system.BoxClient())
        {
            var part = Slice(file, 1, PartSize);
            var direct = new HttpRequestMessage(HttpMethod.Put, session!.BackendSession.Urls!["upload_part"]) { Content = new ByteArrayContent(part) };
            direct.Content.Headers.ContentRange = new(0, PartSize - 1, file.Length);
            direct.Headers.TryAddWithoutValidation("Digest", "sha=" + Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(part)));
            (await box.SendAsync(direct)).EnsureSuccessStatusCode();
        }
        // Real Box answers a resent range with 416 (Box's chunked upload guide, https://developer.box.com/guides/uploads/chunked/); the mock takes identical resends, so say it as Box would.
        await InjectAsync(system.Box, new { kind = "error", method = "PUT", status = 416, code = "range_overlaps_existing_part", count = 1 });

        await client.PutPartOkAsync(id, 1, file, PartSize);
        await client.PutPartOkAsync(id, 2, file, PartSize);

        var done = await ExpectAsync(await client.CompleteAsync(id, new { checksum = new { sha1 = TestData.Sha1Hex(file) } }), HttpStatusCode.OK);
        Assert.Equal(file.Length, done.GetProperty("accepted_bytes").GetInt64());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200 && !await condition(); i++)
        {
            await Task.Delay(10);
        }
    }
}
