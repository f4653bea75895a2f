using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// Every key name the Redis store uses, in one place. A session's keys carry the hash tag of its event shard
/// (<c>{e7}</c>, <see cref="EventTypes.ShardOf"/>), which that shard's event stream carries too: the scripts that
/// change a session's status append its event in the same step, on one Redis Cluster slot (DistributedLock's
/// RedisScript explains why every key must be in <c>KEYS[]</c> and in one slot). The shard count is therefore
/// part of every session's key names and fixed for the life of a deployment (docs/events.md).
/// </summary>
internal sealed class RedisKeys(string prefix, int shards)
{
    private readonly ConcurrentDictionary<(int Shard, string Tenant), RedisKey[]> _statusIndexes = new();

    public int Shards => shards;

    public RedisKey Session(string id) => $"{Tag(id)}:{id}";

    public RedisKey Parts(string id) => $"{Tag(id)}:{id}:parts";

    public RedisKey Leases(string id) => $"{Tag(id)}:{id}:leases";

    public RedisKey[] SessionKeys(string id) => [Session(id), Parts(id), Leases(id)];

    /// <summary>The stream a session's events go to: in its shard's slot.</summary>
    public RedisKey Events(string id) => Events(EventTypes.ShardOf(id, shards));

    public RedisKey Events(int shard) => $"{prefix}:{{e{shard}}}:events";

    /// <summary>One endpoint's dead letters (a stream, so they list in order and page by id).</summary>
    public RedisKey DeadLetters(string group) => $"{prefix}:dead:{{{group}}}";

    /// <summary>The consumers of one endpoint's group, scored by when each was last seen (<c>announce.lua</c>).</summary>
    public RedisKey Members(string group) => $"{prefix}:members:{{{group}}}";

    public RedisKey TenantIndex(string tenant) => $"{prefix}:tenant:{{{tenant}}}";

    /// <summary>
    /// A tenant's sessions of one status in one shard (sorted set: id -> created ms), in that shard's slot so the
    /// scripts that change a session's status keep it in step in the same step; listing by status merges the
    /// shards' heads (<see cref="RedisSessionStore.ListAsync"/>).
    /// </summary>
    public RedisKey StatusIndex(int shard, string tenant, string status) => $"{prefix}:{{e{shard}}}:s:{tenant}:{status}";

    /// <summary>The tenant's status indexes in a session's shard, one per status in <see cref="SessionStatus.All"/>'s order.</summary>
    public RedisKey[] StatusIndexes(string id, string tenant) =>
        // Cached: the part path asks for them on every part, and tenants are few (configured).
        _statusIndexes.GetOrAdd((EventTypes.ShardOf(id, shards), tenant),
            static (at, self) => [.. SessionStatus.All.Select(status => self.StatusIndex(at.Shard, at.Tenant, status))], this);

    public RedisKey ExpiryIndex => $"{prefix}:expiry";

    public RedisKey[] Quota(string scope) => [$"{prefix}:quota:{{{scope}}}", $"{prefix}:quota:{{{scope}}}:lapse"];

    /// <summary>A counted scope's places (sorted set: id -> lapses at), <c>take_place.lua</c>.</summary>
    public RedisKey Places(string scope) => $"{prefix}:places:{{{scope}}}";

    public RedisKey Lock(string name) => $"{prefix}:lock:{name}";

    private string Tag(string id) => $"{prefix}:{{e{EventTypes.ShardOf(id, shards)}}}";
}
