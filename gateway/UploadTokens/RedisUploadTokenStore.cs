using System.Globalization;
using Gateway.Auth;
using Gateway.Sessions;
using StackExchange.Redis;

namespace Gateway.UploadTokens;

/// <summary>
/// Grants in Redis: a hash per token with its scope and secret hash, a counter of its uploads and a set of the
/// sessions it created, the three under the token's hash tag (one Redis Cluster slot) and expiring with it.
/// Nothing is cached on an instance: a revocation is seen by every instance's next request.
/// </summary>
internal sealed class RedisUploadTokenStore(IConnectionMultiplexer redis, StoreOptions options, TimeProvider time) : IUploadTokenStore
{
    /// <summary>Redis expires the records after the grant's remaining life by the gateway's clock, the one the handler checks.</summary>
    private TimeSpan Remaining(UploadGrant grant) => grant.ExpiresAt - time.GetUtcNow() is { Ticks: > 0 } left ? left : TimeSpan.FromMilliseconds(1);

    private IDatabase Db => redis.GetDatabase();

    public async Task SaveAsync(UploadGrant grant, string secretHash)
    {
        var keys = Keys(grant.TokenId);
        HashEntry[] fields =
        [
            new("secret", secretHash), new("tenant", grant.Tenant), new("backend", grant.Backend), new("scope", grant.Scope.Json),
            new("prefix", grant.IsPrefix), new("max_bytes", grant.MaxBytes), new("max_uploads", grant.MaxUploads),
            new("conflict", grant.Conflict), new("expires", grant.ExpiresAt.ToUnixTimeMilliseconds()),
        ];
        var transaction = Db.CreateTransaction();
        _ = transaction.HashSetAsync(keys.Grant, [.. fields.Where(f => !f.Value.IsNull)]);
        _ = transaction.KeyExpireAsync(keys.Grant, Remaining(grant));
        _ = transaction.StringSetAsync(keys.Uses, 0, Remaining(grant));
        await transaction.ExecuteAsync();
    }

    public async Task<(UploadGrant Grant, string SecretHash)?> FindAsync(string tokenId)
    {
        var entries = await Db.HashGetAllAsync(Keys(tokenId).Grant);
        if (entries.Length == 0)
        {
            return null;
        }
        var f = entries.ToDictionary(e => e.Name.ToString(), e => e.Value);
        string? S(string name) => f.TryGetValue(name, out var v) && !v.IsNull ? v.ToString() : null;
        var grant = new UploadGrant(tokenId, S("tenant")!, S("backend")!, UploadTarget.Parse(S("scope")!), S("prefix") == "1",
            long.Parse(S("max_bytes")!, CultureInfo.InvariantCulture),
            S("max_uploads") is { } max ? int.Parse(max, CultureInfo.InvariantCulture) : null,
            S("conflict")!, DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(S("expires")!, CultureInfo.InvariantCulture)));
        return (grant, S("secret")!);
    }

    public async Task<bool> RevokeAsync(string tenant, string tokenId)
    {
        var keys = Keys(tokenId);
        if (await Db.HashGetAsync(keys.Grant, "tenant") != tenant)
        {
            return false;
        }
        return await Db.KeyDeleteAsync([keys.Grant, keys.Uses, keys.Sessions]) > 0;
    }

    public async Task<bool> TryCountUploadAsync(UploadGrant grant, int max)
    {
        // INCR hands every concurrent create its own number: those past max give theirs back and are refused,
        // so at most max creates ever pass, on any number of instances.
        var keys = Keys(grant.TokenId);
        if (await Db.StringIncrementAsync(keys.Uses) <= max)
        {
            return true;
        }
        await Db.StringDecrementAsync(keys.Uses);
        return false;
    }

    public async Task AddSessionAsync(UploadGrant grant, string uploadId)
    {
        var keys = Keys(grant.TokenId);
        var batch = Db.CreateBatch();
        var added = batch.SetAddAsync(keys.Sessions, uploadId);
        var expiry = batch.KeyExpireAsync(keys.Sessions, Remaining(grant));
        batch.Execute();
        await Task.WhenAll(added, expiry);
    }

    public Task<bool> HasSessionAsync(string tokenId, string uploadId) => Db.SetContainsAsync(Keys(tokenId).Sessions, uploadId);

    private (RedisKey Grant, RedisKey Uses, RedisKey Sessions) Keys(string tokenId)
    {
        var root = $"{options.KeyPrefix}:{{{tokenId}}}";
        return (root, root + ":uses", root + ":sessions");
    }
}
