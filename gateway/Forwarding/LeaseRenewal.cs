using Gateway.Sessions;

namespace Gateway.Forwarding;

/// <summary>
/// Keeps a part's lease alive while its body streams, renewing it every third of its lifetime, so a slow
/// part keeps its place while a crashed instance's lease still lapses quickly.
/// </summary>
/// <remarks>
/// Stopped by disposing its timer, whose pending tick then answers false: cancelling the wait instead would
/// build an <see cref="OperationCanceledException"/> with its stack trace for every part, which was 8% of the
/// gateway's CPU on 256 KiB parts (docs/BENCHMARKS.md).
/// </remarks>
internal sealed class LeaseRenewal : IAsyncDisposable
{
    private readonly PeriodicTimer _timer;
    private readonly Task _loop;

    public LeaseRenewal(ISessionStore store, PartLease lease, TimeSpan ttl, TimeProvider time)
    {
        _timer = new PeriodicTimer(ttl / 3, time);
        _loop = RenewAsync(store, lease, _timer);
    }

    private static async Task RenewAsync(ISessionStore store, PartLease lease, PeriodicTimer timer)
    {
        while (await timer.WaitForNextTickAsync())
        {
            try
            {
                await store.RenewLeaseAsync(lease);
            }
            catch (Exception)
            {
                // The store is unreachable for a moment: the lease may lapse, and end_part still records the
                // part once (another request taking the part meanwhile is answered as a duplicate).
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _timer.Dispose();
        await _loop;
    }
}
