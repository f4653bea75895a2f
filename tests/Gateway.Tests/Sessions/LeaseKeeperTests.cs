using Gateway.Sessions;
using Microsoft.Extensions.Time.Testing;
using TestSupport;

namespace Gateway.Tests.Sessions;

/// <summary>The one lease keeper: a renewal that answers the lease is someone else's ends the keeping and tells the holder.</summary>
public sealed class LeaseKeeperTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _clock = Clocks.StartingNow();

    [Fact]
    public async Task A_renewal_that_answers_lost_calls_the_holder_back_once_and_renews_no_more()
    {
        var renewals = 0;
        var lostCalls = 0;
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var keeper = new LeaseKeeper(Ttl, () =>
        {
            // Held at the first renewal, someone else's at the second.
            var n = Interlocked.Increment(ref renewals);
            if (n == 1)
            {
                held.TrySetResult();
            }
            return Task.FromResult(n == 1);
        }, () =>
        {
            Interlocked.Increment(ref lostCalls);
            lost.TrySetResult();
        }, _clock);

        // One period at a time, each renewal awaited (a periodic timer folds ticks it was not waiting for into one).
        _clock.Advance(Ttl / 3);
        await held.Task.WaitAsync(TimeSpan.FromMinutes(1));
        _clock.Advance(Ttl / 3);
        await lost.Task.WaitAsync(TimeSpan.FromMinutes(1));
        _clock.Advance(Ttl);
        await keeper.DisposeAsync();

        Assert.Equal(2, renewals);
        Assert.Equal(1, lostCalls);
    }

    [Fact]
    public async Task A_renewal_that_fails_is_left_to_the_next_tick_and_the_holder_is_not_told()
    {
        var renewals = 0;
        var lostCalls = 0;
        var retried = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var keeper = new LeaseKeeper(Ttl, () =>
        {
            // The store is away at the first renewal, back at the second.
            if (Interlocked.Increment(ref renewals) == 1)
            {
                failed.TrySetResult();
                return Task.FromException<bool>(new TimeoutException("store away"));
            }
            retried.TrySetResult();
            return Task.FromResult(true);
        }, () => Interlocked.Increment(ref lostCalls), _clock);

        _clock.Advance(Ttl / 3);
        await failed.Task.WaitAsync(TimeSpan.FromMinutes(1));
        _clock.Advance(Ttl / 3);
        await retried.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await keeper.DisposeAsync();

        Assert.Equal(0, lostCalls);
    }
}
