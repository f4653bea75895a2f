using System.Net;
using Gateway.Sessions;
using Gateway.Tests.Support;
using StackExchange.Redis;
using TestSupport;

namespace Gateway.Tests.Events;

/// <summary>
/// Delivery across gateway processes on one Redis: two instances share an endpoint's shards (each its fair share,
/// the one started first handing surplus shards over), events keep their per-session order across the handover,
/// and an instance killed (SIGKILL, as kill -9) with requests to the receiver in flight has its shards taken over
/// when their leases lapse, with what it had in hand.
/// </summary>
public sealed class WebhookFailoverTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Two_instances_each_come_to_own_half_the_shards_and_every_session_s_events_arrive_in_order()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var system = await GatewayHarness.StartAsync(redis);
        var settings = Settings(system, receiver);
        await using var a = await GatewayProcess.StartAsync(settings);
        using var leases = new Leases(redis, settings);
        // Alone, A takes every shard; then B joins.
        await PollAsync(async () => (await leases.OwnedByAsync(a)).Count == leases.Shards);
        Assert.Equal(leases.Shards, (await leases.OwnedByAsync(a)).Count);
        await using var b = await GatewayProcess.StartAsync(settings);
        using var viaA = new ContractClient(a.CreateClient(GatewayHarness.AcmeKey));
        using var viaB = new ContractClient(b.CreateClient(GatewayHarness.AcmeKey));

        // Sessions come and go through both while A hands shards over, and a few more once they are shared.
        var sessions = new List<string>();
        async Task CreateAndAbortAsync(ContractClient client)
        {
            var id = (await client.CreateSandboxFileAsync(GatewayHarness.PartSize, $"/workspace/balance-{sessions.Count}.bin")).GetProperty("upload_id").GetString()!;
            Assert.Equal(HttpStatusCode.NoContent, (await client.AbortAsync(id)).StatusCode);
            sessions.Add(id);
        }
        var half = leases.Shards / 2;
        for (var i = 0; i < 600 && !await leases.SharedAsync(a, half, b, half); i++)
        {
            await CreateAndAbortAsync(i % 2 == 0 ? viaA : viaB);
            await Task.Delay(50);
        }
        Assert.True(await leases.SharedAsync(a, half, b, half), "the shards never came to be shared half and half");
        for (var i = 0; i < 6; i++)
        {
            await CreateAndAbortAsync(i % 2 == 0 ? viaA : viaB);
        }

        await WebhookReceiver.WaitUntilAsync(() => receiver.Accepted.Count >= sessions.Count * 2, seconds: 120);
        Assert.All(receiver.Deliveries, d => Assert.True(d.SignatureValid));
        foreach (var id in sessions)
        {
            Assert.Equal([EventTypes.Created, EventTypes.Aborted], receiver.Accepted.Where(d => d.UploadId == id).Select(d => d.Type));
        }
        Assert.Equal(sessions.Count * 2, receiver.Deliveries.Select(d => d.WebhookId).Distinct().Count());
    }

    [Fact]
    public async Task With_one_of_two_instances_killed_mid_delivery_every_event_arrives_and_none_that_did_not_happen()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var system = await GatewayHarness.StartAsync(redis);
        var settings = Settings(system, receiver);
        settings["Gateway:Webhooks:Timeout"] = "00:01:00";
        await using var a = await GatewayProcess.StartAsync(settings);
        await using var b = await GatewayProcess.StartAsync(settings);
        using var leases = new Leases(redis, settings);
        // The shards are shared before any event, so no handover holds a delivery back: A's in flight are A's.
        var half = leases.Shards / 2;
        await PollAsync(() => leases.SharedAsync(a, half, b, half));
        Assert.True(await leases.SharedAsync(a, half, b, half), "the shards never came to be shared half and half");
        var ofA = await leases.OwnedByAsync(a);
        var killed = false;
        // Until the kill, every request for a session of A's shards is held open: those are the deliveries in
        // flight that die with A. B's own go through.
        receiver.Answer = (d, _) => Volatile.Read(ref killed) || !ofA.Contains(leases.ShardOf(d.UploadId)) ? 200 : WebhookReceiver.Stall;
        using var viaB = new ContractClient(b.CreateClient(GatewayHarness.AcmeKey));

        var aborted = new List<string>();
        var open = new List<string>();
        // Until at least two sessions are in A's shards (each a delivery A holds open when it dies).
        for (var i = 0; i < 64 && (i < 8 || aborted.Concat(open).Count(id => ofA.Contains(leases.ShardOf(id))) < 2); i++)
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
        var inA = aborted.Concat(open).Where(id => ofA.Contains(leases.ShardOf(id))).ToHashSet();
        Assert.True(inA.Count >= 2, "no session landed in A's shards");
        await WebhookReceiver.WaitUntilAsync(() => receiver.Deliveries.Count(d => inA.Contains(d.UploadId)) >= 2);
        Assert.True(receiver.Deliveries.Count(d => inA.Contains(d.UploadId)) >= 2, "A never began delivering");
        Assert.DoesNotContain(receiver.Accepted, d => inA.Contains(d.UploadId));

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
        // B has taken A's shards over.
        Assert.Equal(leases.Shards, (await leases.OwnedByAsync(b)).Count);
    }

    /// <summary>The processes deliver to the receiver; the in-process gateway of the harness has no endpoint.</summary>
    private static Dictionary<string, string?> Settings(GatewayHarness system, WebhookReceiver receiver)
    {
        var settings = new Dictionary<string, string?>(system.GatewaySettings);
        WebhookDeliveryTests.Webhooks(settings, ("main", receiver.Url));
        settings["Gateway:Webhooks:LeaseTtl"] = "00:00:02";
        return settings;
    }

    private static async Task PollAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 1200 && !await condition(); i++)
        {
            await Task.Delay(50);
        }
    }

    /// <summary>The endpoint's shard leases as Redis holds them: each lock's value is its owner's name, which has its process id.</summary>
    private sealed class Leases(RedisServer redis, Dictionary<string, string?> settings) : IDisposable
    {
        private readonly ConnectionMultiplexer _redis = ConnectionMultiplexer.Connect(redis.ConnectionString);
        private readonly string _prefix = settings["Gateway:Store:KeyPrefix"]!;

        public int Shards { get; } = int.Parse(settings["Gateway:Store:EventShards"]!, System.Globalization.CultureInfo.InvariantCulture);

        public int ShardOf(string id) => EventTypes.ShardOf(id, Shards);

        public async Task<HashSet<int>> OwnedByAsync(GatewayProcess process)
        {
            var db = _redis.GetDatabase();
            var owners = await Task.WhenAll(Enumerable.Range(0, Shards).Select(s => db.StringGetAsync($"{_prefix}:lock:webhooks:main:{s}")));
            return [.. Enumerable.Range(0, Shards).Where(s => ((string?)owners[s] ?? "").Contains($"-{process.ProcessId}-", StringComparison.Ordinal))];
        }

        public async Task<bool> SharedAsync(GatewayProcess a, int ofA, GatewayProcess b, int ofB) =>
            (await OwnedByAsync(a)).Count == ofA && (await OwnedByAsync(b)).Count == ofB;

        public void Dispose() => _redis.Dispose();
    }
}
