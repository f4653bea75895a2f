using System.Net;
using System.Text.Json;
using Gateway.Tests.Support;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Scale;

/// <summary>
/// Durability: an upload's progress lives only in Redis. With append-only persistence it outlives a Redis
/// restart, and a running gateway process reconnects by itself (same address, as in production) and finishes
/// the upload: nothing re-sent, nothing counted twice.
/// </summary>
public sealed class RedisRestartTests(DurableRedisServer redis) : IClassFixture<DurableRedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;

    [Fact]
    public async Task An_upload_survives_a_redis_restart_and_finishes_on_the_same_gateway_process()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        await using var gateway = await GatewayProcess.StartAsync(system.GatewaySettings);
        using var client = new ContractClient(gateway.CreateClient(GatewayHarness.AcmeKey));
        var file = TestData.Bytes(4 * PartSize + 9, seed: 61);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/durable.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await client.PutPartOkAsync(id, 3, file, PartSize);

        await redis.RestartAsync();

        var status = await GetOnceTheStoreIsBackAsync(client, id);
        Assert.Equal(2 * PartSize, status.GetProperty("accepted_bytes").GetInt64());
        Assert.Equal("2,4-5", status.GetProperty("missing_parts").GetString());
        foreach (var n in new[] { 2, 4, 5 })
        {
            await client.PutPartOkAsync(id, n, file, PartSize);
        }
        // A part sent before the restart is still recorded: sent again, it is the no-op retry.
        await client.PutPartOkAsync(id, 1, file, PartSize);
        var final = await client.GetOkAsync(id);
        Assert.Equal(file.Length, final.GetProperty("accepted_bytes").GetInt64());
        Assert.Equal(5, final.GetProperty("parts_received").GetInt32());
        await ExpectAsync(await client.CompleteAsync(id), HttpStatusCode.OK);
        using var sandbox = system.SandboxClient();
        Assert.Equal(file, await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/durable.bin"));
    }

    /// <summary>Until the gateway has reconnected, requests are 503 store_unavailable with Retry-After: a careful client waits.</summary>
    private static async Task<JsonElement> GetOnceTheStoreIsBackAsync(ContractClient client, string id)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await client.Http.GetAsync($"/v1/uploads/{id}");
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 300)
            {
                return await ExpectAsync(response, HttpStatusCode.OK);
            }
            await ExpectProblemAsync(response, 503, "store_unavailable");
            await Task.Delay(100);
        }
    }
}
