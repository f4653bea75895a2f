using Gateway.Domain;
using Gateway.Sessions;
using Microsoft.Extensions.Options;

namespace Gateway.Rechunking;

/// <summary>
/// One writer per upload across instances: a lock in the store, renewed while the writer works. The staged tail
/// is appended without any other coordination, so every write to an upload's staging runs under it.
/// </summary>
internal sealed class WriterLock(IStoreLock locks, IOptions<StoreOptions> storeOptions, TimeProvider time, ILogger<WriterLock> logger)
{
    /// <summary>
    /// Runs <paramref name="write"/> as the one writer of <paramref name="id"/> across instances, or refuses with
    /// <see cref="ErrorCode.ConcurrencyLimit"/> (a front says it in its own terms: tus answers 423). The token
    /// <paramref name="write"/> gets is cancelled if another writer takes the lock meanwhile (it lapsed while the store
    /// was away): the write then stops and is refused the same way, and the client resumes from where the upload stands.
    /// </summary>
    public async Task<T> RunAsync<T>(string id, Func<CancellationToken, Task<T>> write)
    {
        var owner = Guid.NewGuid().ToString("N");
        // The key's name from when only the tus front wrote this way, kept so that instances before and after the
        // move exclude each other during a rolling upgrade.
        var lockName = "tus-writer:" + id;
        var ttl = storeOptions.Value.LeaseTtl;
        if (!await locks.TryAcquireLockAsync(lockName, owner, ttl))
        {
            throw new GatewayException(ErrorCode.ConcurrencyLimit, "Another request is writing to this upload; retry when it has finished.")
            {
                RetryAfter = TimeSpan.FromSeconds(1),
            };
        }
        try
        {
            return await locks.HoldAsync(lockName, owner, ttl, time, write, e => Log.WriterLockNotReleased(logger, id, e));
        }
        catch (LockLostException e)
        {
            Log.WriterLockLost(logger, id, e);
            throw new GatewayException(ErrorCode.ConcurrencyLimit,
                "Another request took over writing this upload while this one wrote; ask where the upload stands and resume from there.")
            {
                RetryAfter = TimeSpan.FromSeconds(1),
            };
        }
    }
}
