using Gateway.Domain;
using Gateway.Sessions;
using Microsoft.Extensions.Options;

namespace Gateway.Uploads;

/// <summary>
/// Runs a session's commit apart from the request that asked for it. Reading back a large object to check its
/// digest, or a backend assembling one, can take longer than any client or proxy waits on one request: a commit still
/// running after <see cref="CompletionOptions.AnswerWithin"/> goes on in the background and the request is told to ask
/// again (the contract's 202). A lock in the store, renewed while the commit works, makes it one commit per session
/// across instances; a crashed instance's lock lapses and the next complete, anywhere, commits again (every backend's
/// complete can be repeated). Abort and expiry take the same lock, so neither ends a session under a running commit.
/// </summary>
/// <remarks>
/// The commit runs on the host's token, not the request's: a client that hangs up does not undo the commit it asked
/// for. The host's stop waits for running commits; a commit cut by the stop leaves its session completing, for the
/// next complete to take up.
/// </remarks>
internal sealed class CommitRunner(IStoreLock locks, IOptions<StoreOptions> storeOptions, IOptions<CompletionOptions> options,
    TimeProvider time, ILogger<CommitRunner> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _running = [];

    public TimeSpan RetryAfter => options.Value.RetryAfter;

    /// <summary>
    /// Runs <paramref name="commit"/> for session <paramref name="id"/>: its result if it ends within
    /// <see cref="CompletionOptions.AnswerWithin"/> (its exception if it fails), null while it runs on, here or on
    /// another instance.
    /// </summary>
    public async Task<T?> RunAsync<T>(string id, Func<CancellationToken, Task<T>> commit, CancellationToken cancellationToken)
        where T : class
    {
        var owner = Guid.NewGuid().ToString("N");
        if (!await locks.TryAcquireLockAsync(LockName(id), owner, storeOptions.Value.LeaseTtl))
        {
            return null;
        }
        var work = HoldAsync(id, owner, () => commit(_stopping.Token));
        Track(work);
        try
        {
            return await work.WaitAsync(options.Value.AnswerWithin, time, cancellationToken);
        }
        catch (Exception e) when (!work.IsCompleted && e is TimeoutException or OperationCanceledException)
        {
            // Its outcome goes to the session's state; a failure no request hears of goes to the log.
            _ = work.ContinueWith(static (task, state) =>
            {
                var (logger, id) = ((ILogger, string))state!;
                Log.CommitFailedInBackground(logger, id, task.Exception!.GetBaseException());
            }, (logger, id), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            if (e is OperationCanceledException)
            {
                throw;
            }
            return null;
        }
    }

    /// <summary>Runs <paramref name="end"/> (an abort, an expiry) unless a commit of the session is running; false if one is.</summary>
    public async Task<bool> TryRunUnlessCommittingAsync(string id, Func<Task> end)
    {
        var owner = Guid.NewGuid().ToString("N");
        if (!await locks.TryAcquireLockAsync(LockName(id), owner, storeOptions.Value.LeaseTtl))
        {
            return false;
        }
        await HoldAsync(id, owner, async () =>
        {
            await end();
            return true;
        });
        return true;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Waits for the running commits; when the host's stop runs out of time, cuts them.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
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
        catch (Exception)
        {
            // Each commit's failure is its own request's (or logged by RunAsync): stopping only waits.
        }
    }

    public void Dispose() => _stopping.Dispose();

    private static string LockName(string id) => "commit:" + id;

    private async Task<T> HoldAsync<T>(string id, string owner, Func<Task<T>> work)
    {
        var name = LockName(id);
        var ttl = storeOptions.Value.LeaseTtl;
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
                // It lapses by itself after the lease time.
                Log.CommitLockNotReleased(logger, id, e);
            }
        }
    }

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
