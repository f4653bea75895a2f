using Gateway.Domain;
using Gateway.Sessions;

namespace Gateway.Api.Tus;

/// <summary>One writer per upload across instances: a lock in the store, renewed while the writer works.</summary>
internal sealed partial class TusWriter
{
    /// <summary>Runs <paramref name="write"/> as the one writer of <paramref name="id"/> across instances, or answers 423.</summary>
    public async Task<T> ExclusiveAsync<T>(string id, Func<Task<T>> write)
    {
        var owner = Guid.NewGuid().ToString("N");
        var lockName = "tus-writer:" + id;
        var ttl = storeOptions.Value.LeaseTtl;
        if (!await locks.TryAcquireLockAsync(lockName, owner, ttl))
        {
            throw new GatewayException(ErrorCode.ConcurrencyLimit with { Status = StatusCodes.Status423Locked },
                "Another request is writing to this upload; retry when it has finished.") { RetryAfter = TimeSpan.FromSeconds(1) };
        }
        try
        {
            // Renewed while the writer works; a renewal that fails leaves the offset check under the next holder to keep the bytes right.
            await using (new LeaseKeeper(ttl, () => locks.TryAcquireLockAsync(lockName, owner, ttl), time))
            {
                return await write();
            }
        }
        finally
        {
            try
            {
                await locks.ReleaseLockAsync(lockName, owner);
            }
            catch (Exception e)
            {
                // It lapses by itself after the lease time.
                Log.WriterLockNotReleased(logger, id, e);
            }
        }
    }
}
