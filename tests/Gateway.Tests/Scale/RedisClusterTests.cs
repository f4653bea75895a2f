using System.Net;
using Gateway.Tests.Sessions;
using Gateway.Tests.Support;
using StackExchange.Redis;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Scale;

/// <summary>
/// The gateway on a Redis Cluster: two gateway processes given the cluster's nodes as their store share one
/// upload part by part, and the session's keys all live in one slot, so each of its scripts runs on one node.
/// </summary>
public sealed class RedisClusterTests(RedisCluster cluster) : IClassFixture<RedisCluster>
{
    private const int PartSize = GatewayHarness.PartSize;

    [Fact]
    public async Task Two_gateway_processes_on_a_redis_cluster_share_an_upload_and_keep_its_keys_in_one_slot()
    {
        var prefix = "c" + Guid.NewGuid().ToString("N")[..12];
        // The session's events go out too: each is written by the session's own script, into its shard's stream.
        await using var receiver = await Events.WebhookReceiver.StartAsync();
        await using var system = await GatewayHarness.StartAsync(gateway: s =>
        {
            s["Gateway:Store:Redis"] = cluster.ConnectionString;
            s["Gateway:Store:KeyPrefix"] = prefix;
            Events.WebhookDeliveryTests.Webhooks(s, ("main", receiver.Url));
        });
        await using var a = await GatewayProcess.StartAsync(system.GatewaySettings);
        await using var b = await GatewayProcess.StartAsync(system.GatewaySettings);
        using var viaA = new ContractClient(a.CreateClient(GatewayHarness.AcmeKey));
        using var viaB = new ContractClient(b.CreateClient(GatewayHarness.AcmeKey));
        var file = TestData.Bytes(5 * PartSize + 77, seed: 51);

        var id = (await viaA.CreateSandboxFileAsync(file.Length, "/workspace/clustered.bin")).GetProperty("upload_id").GetString()!;
        await Task.WhenAll(Enumerable.Range(1, 6).Select(n => (n % 2 == 0 ? viaA : viaB).PutPartOkAsync(id, n, file, PartSize)));
        Assert.Equal(file.Length, (await viaB.GetOkAsync(id)).GetProperty("accepted_bytes").GetInt64());
        await ExpectAsync(await viaB.CompleteAsync(id), HttpStatusCode.OK);

        Assert.Equal("completed", (await viaA.GetOkAsync(id)).GetProperty("status").GetString());
        using var sandbox = system.SandboxClient();
        Assert.Equal(file, await sandbox.GetByteArrayAsync($"/v1/sandboxes/{GatewayHarness.SandboxId}/file?path=/workspace/clustered.bin"));
        using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.ConnectionString + ",allowAdmin=true");
        var keys = await ClusterKeys.OfSessionAsync(redis, prefix, id);
        var tag = $"{prefix}:{{e{Gateway.Sessions.EventTypes.ShardOf(id, 4)}}}";
        Assert.Contains(keys, k => k.Key == $"{tag}:{id}");
        Assert.Contains(keys, k => k.Key == $"{tag}:{id}:parts");
        Assert.Single(keys.Select(k => k.Slot).Distinct());
        Assert.Single(keys.Select(k => k.Node).Distinct());
        var streamSlot = (long)await redis.GetServer(keys[0].Node).ExecuteAsync("CLUSTER", "KEYSLOT", $"{tag}:events");
        Assert.Equal(keys[0].Slot, streamSlot);

        await Events.WebhookReceiver.WaitUntilAsync(() => receiver.Accepted.Count(d => d.UploadId == id) >= 2);
        Assert.Equal(
            [Gateway.Sessions.EventTypes.Created, Gateway.Sessions.EventTypes.Completed],
            receiver.Accepted.Where(d => d.UploadId == id).Select(d => d.Type));
        Assert.All(receiver.Deliveries, d => Assert.True(d.SignatureValid));
    }
}
