using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// Every key name the Redis store uses, in one place. A session's keys share the hash tag <c>{id}</c> so the
/// scripts that touch them run on one Redis Cluster slot (DistributedLock's RedisScript explains why).
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    public RedisKey Session(string id) => $"{prefix}:{{{id}}}";

    public RedisKey Parts(string id) => $"{prefix}:{{{id}}}:parts";

    public RedisKey Leases(string id) => $"{prefix}:{{{id}}}:leases";

    public RedisKey[] SessionKeys(string id) => [Session(id), Parts(id), Leases(id)];

    public RedisKey TenantIndex(string tenant) => $"{prefix}:tenant:{{{tenant}}}";

    public RedisKey ExpiryIndex => $"{prefix}:expiry";

    public RedisKey[] Quota(string scope) => [$"{prefix}:quota:{{{scope}}}", $"{prefix}:quota:{{{scope}}}:lapse"];

    public RedisKey Lock(string name) => $"{prefix}:lock:{name}";
}
