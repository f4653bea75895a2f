namespace Gateway.Sessions;

/// <summary>
/// Keeps a lease alive while its holder works: renews it every third of its lifetime on a timer of the
/// <see cref="TimeProvider"/>, so a slow holder keeps its place while a crashed instance's lease still lapses quickly.
/// A renewal that fails is left to the next tick (the store may be away a moment; the lease may then lapse, which
/// every holder is built to survive). A renewal that answers that the lease is someone else's now ends the keeping
/// and tells the holder, which is to stop what the lease guarded.
/// </summary>
/// <remarks>
/// Stopped by disposing its timer, whose pending tick then answers false: cancelling the wait instead would
/// build an <see cref="OperationCanceledException"/> with its stack trace for every holder, which was 8% of the
/// gateway's CPU on 256 KiB parts (docs/BENCHMARKS.md).
/// </remarks>
internal sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly PeriodicTimer _timer;
    private readonly Task _loop;

    /// <param name="ttl">The lease's lifetime; it is renewed every third of it.</param>
    /// <param name="renew">Renews the lease once.</param>
    public LeaseKeeper(TimeSpan ttl, Func<Task> renew, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(renew);
        _timer = new PeriodicTimer(ttl / 3, time);
        _loop = RenewAsync(_timer, async () =>
        {
            await renew();
            return true;
        }, lost: null);
    }

    /// <param name="ttl">The lease's lifetime; it is renewed every third of it.</param>
    /// <param name="renew">Renews the lease once: false when it is no longer this holder's.</param>
    /// <param name="lost">Called once, on the timer's thread, when <paramref name="renew"/> answers false; nothing is renewed after.</param>
    public LeaseKeeper(TimeSpan ttl, Func<Task<bool>> renew, Action lost, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(renew);
        ArgumentNullException.ThrowIfNull(lost);
        _timer = new PeriodicTimer(ttl / 3, time);
        _loop = RenewAsync(_timer, renew, lost);
    }

    private static async Task RenewAsync(PeriodicTimer timer, Func<Task<bool>> renew, Action? lost)
    {
        while (await timer.WaitForNextTickAsync())
        {
            bool held;
            try
            {
                held = await renew();
            }
            catch (Exception)
            {
                // Left to the next tick, see above.
                continue;
            }
            if (!held)
            {
                lost?.Invoke();
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _timer.Dispose();
        await _loop;
    }
}
