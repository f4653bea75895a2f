using Gateway.Domain;
using Gateway.Sessions;
using Gateway.Sessions.Redis;
using StackExchange.Redis;
using TestSupport;

namespace Gateway.Tests.Sessions;

/// <summary>The whole store contract again, on a Redis Cluster of three masters: what users grow into.</summary>
public sealed class RedisClusterStoreTests : SessionStoreContract, IClassFixture<RedisCluster>, IDisposable
{
    private readonly ConnectionMultiplexer _redis;

    public RedisClusterStoreTests(RedisCluster cluster)
    {
        // allowAdmin: the test asks the nodes CLUSTER KEYSLOT.
        _redis = ConnectionMultiplexer.Connect(cluster.ConnectionString + ",allowAdmin=true");
        Store = new RedisSessionStore(_redis, Options, Clock);
    }

    private protected override ISessionStore Store { get; }

    [Fact]
    public async Task Every_key_of_a_session_lands_in_one_slot_of_the_cluster()
    {
        var session = await CreateAsync();
        var lease = PartLease.New(session.Id, session.Tenant, 1);
        await Store.BeginPartAsync(lease, null);
        await Store.EndPartAsync(lease, new PartRecord(1, session.SizeOf(1), DigestKinds.Sha256, new string('a', 64), null, null));
        await Store.BeginPartAsync(PartLease.New(session.Id, session.Tenant, 2), null);

        var keys = await ClusterKeys.OfSessionAsync(_redis, Options.KeyPrefix, session.Id);

        Assert.Equal(3, keys.Count);
        Assert.Single(keys.Select(k => k.Node).Distinct());
        Assert.Single(keys.Select(k => k.Slot).Distinct());
    }

    public void Dispose() => _redis.Dispose();
}

/// <summary>
/// What a Redis Cluster holds for one session, read from every master, with the slot each key is in (the
/// connection needs allowAdmin for CLUSTER KEYSLOT).
/// </summary>
internal static class ClusterKeys
{
    public static async Task<IReadOnlyList<(string Key, string Node, long Slot)>> OfSessionAsync(IConnectionMultiplexer redis, string prefix, string id)
    {
        var found = new List<(string, string, long)>();
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            foreach (var key in server.Keys(pattern: $"{prefix}:*{id}*"))
            {
                // The server's own answer, not the client's hash: CLUSTER KEYSLOT.
                var slot = (long)await server.ExecuteAsync("CLUSTER", "KEYSLOT", key.ToString());
                found.Add((key.ToString(), server.EndPoint.ToString()!, slot));
            }
        }
        return found;
    }
}
