namespace Gateway.Sessions;

internal static class HeldLock
{
    /// <summary>
    /// Runs <paramref name="work"/> holding the named lock, which <paramref name="owner"/> has already taken: renewed
    /// while it runs (<see cref="LeaseKeeper"/>), released after. A release that fails goes to
    /// <paramref name="notReleased"/>; the lock then lapses by itself after <paramref name="ttl"/>.
    /// </summary>
    /// <remarks>
    /// The token <paramref name="work"/> gets is cancelled when a renewal finds the lock someone else's (it lapsed while
    /// the store was away, and another holder took it): what it guarded is theirs now, so the work stops rather than
    /// run beside theirs, and ends in a <see cref="LockLostException"/>.
    /// </remarks>
    public static async Task<T> HoldAsync<T>(this IStoreLock locks, string name, string owner, TimeSpan ttl, TimeProvider time,
        Func<CancellationToken, Task<T>> work, Action<Exception> notReleased)
    {
        using var lost = new CancellationTokenSource();
        try
        {
            await using (new LeaseKeeper(ttl, () => locks.TryAcquireLockAsync(name, owner, ttl), lost.Cancel, time))
            {
                return await work(lost.Token);
            }
        }
        catch (OperationCanceledException e) when (lost.IsCancellationRequested)
        {
            throw new LockLostException(name, e);
        }
        finally
        {
            try
            {
                // Owner-checked: a lock found someone else's stays theirs.
                await locks.ReleaseLockAsync(name, owner);
            }
            catch (Exception e)
            {
                notReleased(e);
            }
        }
    }
}

/// <summary>A lock was found taken by another holder while its work ran; the work was stopped.</summary>
internal sealed class LockLostException(string name, Exception inner)
    : Exception($"The lock {name} was taken by another holder while this one worked (it lapsed while the store was away); the work was stopped.", inner);
