using Gateway.Domain;
using Gateway.Sessions;
using Microsoft.Extensions.Options;

namespace Gateway.Uploads;

/// <summary>
/// Runs a session's commit apart from the request that asked for it, and sees it through. Reading back a large object
/// to check its digest, or a backend assembling one, can take longer than any client or proxy waits on one request: a
/// commit still running after <see cref="CompletionOptions.AnswerWithin"/> goes on in the background and the request
/// is told to ask again (the contract's 202). Once a request has been answered so, the commit is this instance's to
/// finish: a backend still assembling is asked again after the time it gave, a backend or store that is away a moment
/// (a 503) after a backoff, until the session ends. A tus client, whose last PATCH is its last word, relies on that.
/// </summary>
/// <remarks>
/// One commit per session across instances: each attempt runs under a lock in the store, renewed while it works and
/// released between attempts, so a client's repeated complete, an abort or the expiry sweeper may take the session
/// up in between (the driving then stops, the taker owns it). A crashed instance's lock lapses, and the next complete
/// anywhere commits again (every backend's complete can be repeated). Attempts run on the host's token, not the
/// request's: a client that hangs up does not undo the commit it asked for. The host's stop waits for running
/// commits, then cuts them; a cut commit leaves its session completing for the next complete.
/// </remarks>
internal sealed class CommitRunner(IStoreLock locks, IOptions<StoreOptions> storeOptions, IOptions<CompletionOptions> options,
    TimeProvider time, ILogger<CommitRunner> logger) : IHostedService
{
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromMinutes(1);

    // Neither is disposed: a host can be stopped again after it was disposed (the test harness does), and these hold no timer.

    /// <summary>Cancelled when the host's stop begins: no new attempt after it.</summary>
    private readonly CancellationTokenSource _draining = new();

    /// <summary>Cancelled when the host's stop runs out of time: attempts still running are cut.</summary>
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _running = [];

    public TimeSpan RetryAfter => options.Value.RetryAfter;

    /// <summary>
    /// Commits session <paramref name="id"/> by running <paramref name="attempt"/> (null: the session has ended; a
    /// time: the backend is still assembling, ask again after it) until it ends. Returns the attempt's answer if the
    /// first came within <see cref="CompletionOptions.AnswerWithin"/> (or the shorter <paramref name="answerWithin"/>: a
    /// caller that does not wait) (its exception if it failed), and <see cref="RetryAfter"/> while the commit goes on here
    /// or on another instance.
    /// </summary>
    public async Task<TimeSpan?> RunAsync(string id, Func<CancellationToken, Task<TimeSpan?>> attempt, CancellationToken cancellationToken,
        TimeSpan? answerWithin = null)
    {
        var owner = Guid.NewGuid().ToString("N");
        if (!await TryLockAsync(id, owner))
        {
            return RetryAfter;
        }
        var first = new TaskCompletionSource<TimeSpan?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Track(DriveAsync(id, owner, attempt, first));
        try
        {
            var within = answerWithin < options.Value.AnswerWithin ? answerWithin.Value : options.Value.AnswerWithin;
            return await first.Task.WaitAsync(within, time, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException && !first.Task.IsCompleted)
        {
            if (!first.TrySetResult(RetryAfter))
            {
                // The commit answered just now.
                return await first.Task;
            }
            // From here on the commit is this instance's to see through; its end goes to the session's state.
            if (e is OperationCanceledException)
            {
                throw;
            }
            return RetryAfter;
        }
    }

    /// <summary>Runs <paramref name="end"/> (an abort, an expiry) unless a commit of the session is running; false if one is.</summary>
    public async Task<bool> TryRunUnlessCommittingAsync(string id, Func<Task> end)
    {
        var owner = Guid.NewGuid().ToString("N");
        if (!await TryLockAsync(id, owner))
        {
            return false;
        }
        await HoldAsync(id, owner, async _ =>
        {
            await end();
            return true;
        });
        return true;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Ends the driving between attempts and waits for the attempts running; when the host's stop runs out of time, cuts them.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _draining.CancelAsync();
        Task[] running;
        lock (_gate)
        {
            running = [.. _running];
        }
        if (running.Length == 0)
        {
            return;
        }
        Log.WaitingForCommits(logger, running.Length);
        try
        {
            await Task.WhenAll(running).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _stopping.CancelAsync();
        }
    }

    /// <summary>A backend or store away a moment: worth another attempt, where a refusal is not.</summary>
    private static bool Transient(Exception e) => e is GatewayException { Error.Status: StatusCodes.Status503ServiceUnavailable };

    private static string LockName(string id) => "commit:" + id;

    private Task<bool> TryLockAsync(string id, string owner) => locks.TryAcquireLockAsync(LockName(id), owner, storeOptions.Value.LeaseTtl);

    /// <summary>
    /// The attempts, the first under the lock <see cref="RunAsync"/> took. While the request waits, the first answer is
    /// its (<paramref name="first"/>); once it has been answered, the driving goes on until the session ends.
    /// </summary>
    private async Task DriveAsync(string id, string owner, Func<CancellationToken, Task<TimeSpan?>> attempt, TaskCompletionSource<TimeSpan?> first)
    {
        var backoff = TimeSpan.FromSeconds(1);
        try
        {
            while (true)
            {
                TimeSpan? again;
                try
                {
                    again = await HoldAsync(id, owner, async lost =>
                    {
                        using var either = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, lost);
                        return await attempt(either.Token);
                    });
                }
                catch (LockLostException e)
                {
                    // Another instance took the session's commit while this one worked (the lock lapsed while the store was
                    // away): the commit is its now, and a request still waiting is told to ask again.
                    Log.CommitLockLost(logger, id, e);
                    first.TrySetResult(RetryAfter);
                    return;
                }
                catch (Exception e) when (Transient(e) && first.Task.IsCompleted)
                {
                    Log.CommitRetrying(logger, id, backoff, e);
                    again = backoff;
                    backoff = TimeSpan.FromTicks(Math.Min(2 * backoff.Ticks, LongestBackoff.Ticks));
                }
                first.TrySetResult(again);
                if (again is not { } wait)
                {
                    return;
                }
                await Task.Delay(wait, time, _draining.Token);
                if (!await TryLockAsync(id, owner))
                {
                    // A client's complete, an abort or the sweeper took the session up meanwhile: it is theirs now.
                    return;
                }
            }
        }
        catch (Exception e)
        {
            if (first.TrySetException(e) || (e is OperationCanceledException && _draining.IsCancellationRequested))
            {
                // The request hears of it; or the host is stopping, and the session stays completing for the next complete.
                return;
            }
            Log.CommitFailedInBackground(logger, id, e);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> under the session's lock (already taken by <paramref name="owner"/>), renewed while it runs,
    /// released after; its token is cancelled if another instance takes the lock meanwhile.
    /// </summary>
    private Task<T> HoldAsync<T>(string id, string owner, Func<CancellationToken, Task<T>> work) =>
        locks.HoldAsync(LockName(id), owner, storeOptions.Value.LeaseTtl, time, work, e => Log.CommitLockNotReleased(logger, id, e));

    private void Track(Task work)
    {
        lock (_gate)
        {
            _running.Add(work);
        }
        _ = work.ContinueWith(done =>
        {
            lock (_gate)
            {
                _running.Remove(done);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
