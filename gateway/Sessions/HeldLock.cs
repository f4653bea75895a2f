namespace Gateway.Sessions;

internal static class HeldLock
{
    /// <summary>
    /// Runs <paramref name="work"/> holding the named lock, which <paramref name="owner"/> has already taken: renewed
    /// while it runs (<see cref="LeaseKeeper"/>), released after. A release that fails goes to
    /// <paramref name="notReleased"/>; the lock then lapses by itself after <paramref name="ttl"/>.
    /// </summary>
    public static async Task<T> HoldAsync<T>(this IStoreLock locks, string name, string owner, TimeSpan ttl, TimeProvider time,
        Func<Task<T>> work, Action<Exception> notReleased)
    {
        try
        {
            await using (new LeaseKeeper(ttl, () => locks.TryAcquireLockAsync(name, owner, ttl), time))
            {
                return await work();
            }
        }
        finally
        {
            try
            {
                await locks.ReleaseLockAsync(name, owner);
            }
            catch (Exception e)
            {
                notReleased(e);
            }
        }
    }
}
