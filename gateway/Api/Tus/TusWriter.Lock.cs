using Gateway.Domain;

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
        using var stop = new CancellationTokenSource();
        var renewal = RenewAsync(lockName, owner, ttl, stop.Token);
        try
        {
            return await write();
        }
        finally
        {
            await stop.CancelAsync();
            await renewal;
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

    private async Task RenewAsync(string name, string owner, TimeSpan ttl, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(ttl / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await locks.TryAcquireLockAsync(name, owner, ttl);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The store is away for a moment; the offset check under the next holder keeps the bytes right.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
