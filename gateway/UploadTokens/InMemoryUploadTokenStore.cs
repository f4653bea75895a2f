using System.Collections.Concurrent;
using Gateway.Auth;

namespace Gateway.UploadTokens;

/// <summary>Grants for a gateway running alone on the embedded store (no Redis): the same rules, in this process.</summary>
internal sealed class InMemoryUploadTokenStore(TimeProvider time) : IUploadTokenStore
{
    private sealed class Entry(UploadGrant grant, string secretHash)
    {
        public UploadGrant Grant { get; } = grant;
        public string SecretHash { get; } = secretHash;
        public int Uses;
        public ConcurrentDictionary<string, byte> Sessions { get; } = new(StringComparer.Ordinal);
    }

    private readonly ConcurrentDictionary<string, Entry> _grants = new(StringComparer.Ordinal);

    public Task SaveAsync(UploadGrant grant, string secretHash)
    {
        foreach (var (id, entry) in _grants)
        {
            if (entry.Grant.ExpiresAt <= time.GetUtcNow())
            {
                _grants.TryRemove(id, out _);
            }
        }
        _grants[grant.TokenId] = new Entry(grant, secretHash);
        return Task.CompletedTask;
    }

    public Task<(UploadGrant Grant, string SecretHash)?> FindAsync(string tokenId) =>
        Task.FromResult(Live(tokenId) is { } entry ? (entry.Grant, entry.SecretHash) : ((UploadGrant, string)?)null);

    public Task<bool> RevokeAsync(string tenant, string tokenId) =>
        Task.FromResult(Live(tokenId) is { } entry && entry.Grant.Tenant == tenant && _grants.TryRemove(tokenId, out _));

    public Task<bool> TryCountUploadAsync(UploadGrant grant, int max)
    {
        if (Live(grant.TokenId) is not { } entry)
        {
            return Task.FromResult(false);
        }
        if (Interlocked.Increment(ref entry.Uses) <= max)
        {
            return Task.FromResult(true);
        }
        Interlocked.Decrement(ref entry.Uses);
        return Task.FromResult(false);
    }

    public Task AddSessionAsync(UploadGrant grant, string uploadId)
    {
        Live(grant.TokenId)?.Sessions.TryAdd(uploadId, 0);
        return Task.CompletedTask;
    }

    public Task<bool> HasSessionAsync(string tokenId, string uploadId) =>
        Task.FromResult(Live(tokenId)?.Sessions.ContainsKey(uploadId) == true);

    private Entry? Live(string tokenId) =>
        _grants.TryGetValue(tokenId, out var entry) && entry.Grant.ExpiresAt > time.GetUtcNow() ? entry : null;
}
