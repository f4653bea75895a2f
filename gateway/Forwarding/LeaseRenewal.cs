using Gateway.Sessions;

namespace Gateway.Forwarding;

/// <summary>
/// Keeps a part's lease alive while its body streams, renewing it every third of its lifetime, so a slow
/// part keeps its place while a crashed instance's lease still lapses quickly.
/// </summary>
internal sealed class LeaseRenewal : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LeaseRenewal(ISessionStore store, PartLease lease, TimeSpan ttl, TimeProvider time)
    {
        _loop = RenewAsync(store, lease, ttl / 3, time, _stop.Token);
    }

    private static async Task RenewAsync(ISessionStore store, PartLease lease, TimeSpan period, TimeProvider time, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await store.RenewLeaseAsync(lease);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The store is unreachable for a moment: the lease may lapse, and end_part still records the
                    // part once (another request taking the part meanwhile is answered as a duplicate).
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
