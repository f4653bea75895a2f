using Gateway.Auth;
using Gateway.Sessions;
using Microsoft.Extensions.Caching.Memory;

namespace Gateway.Api.Box;

/// <summary>A session's part geometry, which never changes once it is created.</summary>
internal sealed record BoxSessionShape(string Tenant, long ContentLength, long PartSize);

/// <summary>
/// The part size and file size of sessions, kept in this instance's memory. A Box part names its bytes by
/// <c>Content-Range</c>, and the part number follows from the part size: without this, every part would cost
/// the store one more read before its begin. Filled when a session is created or read here, and read from the
/// store on a miss (the first part this instance sees of a session another one created). Safe to keep
/// because nothing of it ever changes; the store still checks owner, state and size on every part.
/// </summary>
internal sealed class BoxSessionShapes(ISessionStore store) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public void Remember(UploadSession session) =>
        _cache.Set(session.Id, new BoxSessionShape(session.Tenant, session.ContentLength, session.PartSize),
            new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = session.ExpiresAt });

    /// <summary>The caller's session's shape, or null when the tenant has no such session.</summary>
    public async Task<BoxSessionShape?> FindAsync(string id, Tenant tenant, CancellationToken cancellationToken)
    {
        if (!_cache.TryGetValue(id, out BoxSessionShape? shape))
        {
            if (await store.GetAsync(id, tenant.Name, cancellationToken) is not { } session)
            {
                return null;
            }
            Remember(session);
            shape = new BoxSessionShape(session.Tenant, session.ContentLength, session.PartSize);
        }
        return shape!.Tenant == tenant.Name ? shape : null;
    }

    public void Dispose() => _cache.Dispose();
}
