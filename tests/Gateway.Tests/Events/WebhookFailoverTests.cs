using System.Net;
using Gateway.Sessions;
using Gateway.Tests.Support;
using StackExchange.Redis;
using TestSupport;

namespace Gateway.Tests.Events;

/// <summary>
/// Delivery across gateway processes on one Redis: the one delivering is killed (SIGKILL, as kill -9) with
/// requests to the receiver in flight; the other takes its shards over when their leases lapse and claims what
/// it had in hand.
/// </summary>
public sealed class WebhookFailoverTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task With_one_of_two_instances_killed_mid_delivery_every_event_arrives_and_none_that_did_not_happen()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var killed = false;
        // Until the kill, every request is held open: those are the deliveries in flight that die with A.
        receiver.Answer = (_, _) => Volatile.Read(ref killed) ? 200 : WebhookReceiver.Stall;
        // The in-process gateway of the harness has no endpoint: only the two processes deliver.
        await using var system = await GatewayHarness.StartAsync(redis);
        var settings = new Dictionary<string, string?>(system.GatewaySettings);
        WebhookDeliveryTests.Webhooks(settings, ("main", receiver.Url));
        settings["Gateway:Webhooks:LeaseTtl"] = "00:00:02";
        settings["Gateway:Webhooks:Timeout"] = "00:01:00";
        var prefix = settings["Gateway:Store:KeyPrefix"]!;
        var shards = int.Parse(settings["Gateway:Store:EventShards"]!, System.Globalization.CultureInfo.InvariantCulture);

        await using var a = await GatewayProcess.StartAsync(settings);
        using var redisClient = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = redisClient.GetDatabase();
        async Task<int> LeasesHeld() =>
            (await Task.WhenAll(Enumerable.Range(0, shards).Select(s => db.KeyExistsAsync($"{prefix}:lock:webhooks:main:{s}")))).Count(e => e);
        // A owns every shard before B starts, so the deliveries in flight are A's.
        for (var i = 0; i < 600 && await LeasesHeld() < shards; i++)
        {
            await Task.Delay(50);
        }
        Assert.Equal(shards, await LeasesHeld());
        await using var b = await GatewayProcess.StartAsync(settings);
        using var viaB = new ContractClient(b.CreateClient(GatewayHarness.AcmeKey));

        var aborted = new List<string>();
        var open = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var id = (await viaB.CreateSandboxFileAsync(GatewayHarness.PartSize, $"/workspace/failover-{i}.bin")).GetProperty("upload_id").GetString()!;
            if (i % 2 == 0)
            {
                Assert.Equal(HttpStatusCode.NoContent, (await viaB.AbortAsync(id)).StatusCode);
                aborted.Add(id);
            }
            else
            {
                open.Add(id);
            }
        }
        await WebhookReceiver.WaitUntilAsync(() => receiver.Deliveries.Count >= 2);
        Assert.True(receiver.Deliveries.Count >= 2, "A never began delivering");
        Assert.Empty(receiver.Accepted);

        a.Kill();
        Volatile.Write(ref killed, true);

        var expected = aborted.Count * 2 + open.Count;
        await WebhookReceiver.WaitUntilAsync(() => receiver.Accepted.Count >= expected, seconds: 120);
        Assert.All(receiver.Deliveries, d => Assert.True(d.SignatureValid));
        foreach (var id in aborted)
        {
            Assert.Equal([EventTypes.Created, EventTypes.Aborted], receiver.Accepted.Where(d => d.UploadId == id).Select(d => d.Type));
        }
        foreach (var id in open)
        {
            // Never an event whose transition did not happen.
            Assert.Equal([EventTypes.Created], receiver.Accepted.Where(d => d.UploadId == id).Select(d => d.Type));
        }
        Assert.Equal(expected, receiver.Deliveries.Select(d => d.WebhookId).Distinct().Count());
    }
}
