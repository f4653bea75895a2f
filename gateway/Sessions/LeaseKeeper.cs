namespace Gateway.Sessions;

/// <summary>
/// Keeps a lease alive while its holder works: renews it every third of its lifetime on a timer of the
/// <see cref="TimeProvider"/>, so a slow holder keeps its place while a crashed instance's lease still lapses quickly.
/// A renewal that fails is left to the next tick (the store may be away a moment; the lease may then lapse, which
/// every holder is built to survive).
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
        _timer = new PeriodicTimer(ttl / 3, time);
        _loop = RenewAsync(_timer, renew);
    }

    private static async Task RenewAsync(PeriodicTimer timer, Func<Task> renew)
    {
        while (await timer.WaitForNextTickAsync())
        {
            try
            {
                await renew();
            }
            catch (Exception)
            {
                // Left to the next tick, see above.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _timer.Dispose();
        await _loop;
    }
}
