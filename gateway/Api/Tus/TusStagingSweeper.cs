using Gateway.Sessions;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Tus;

/// <summary>
/// Deletes the staging folder of every upload that has ended (aborted, expired, failed; completed and past
/// its expiry time) or is no longer in the store. The core's expiry sweeper ends expired sessions; this follows it for the tus front's
/// own files. One instance at a time, by a lock in the store; deleting twice is harmless anyway.
/// </summary>
internal sealed class TusStagingSweeper(
    TusStaging staging,
    TusPartials partials,
    ISessionStore store,
    IStoreLock locks,
    IOptions<TusOptions> options,
    TimeProvider time,
    ILogger<TusStagingSweeper> logger) : BackgroundService
{
    private readonly string _owner = Guid.NewGuid().ToString("N");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.SweepFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        if (!await locks.TryAcquireLockAsync("tus-staging-sweeper", _owner, options.Value.SweepInterval * 2))
        {
            return 0;
        }
        var swept = 0;
        var now = time.GetUtcNow();
        foreach (var id in staging.Uploads().ToList())
        {
            var session = await store.GetAsync(id, null, cancellationToken);
            if (session is { Status: SessionStatus.Completed } && session.ExpiresAt > now)
            {
                // HEAD of a completed upload still answers Upload-Metadata and Upload-Concat until its expiry time.
                staging.DeleteBytes(id);
                continue;
            }
            if (session is null || !SessionStatus.IsLive(session.StatusAt(now)))
            {
                staging.Delete(id);
                Log.StagingSwept(logger, id);
                swept++;
            }
        }
        foreach (var id in partials.All().ToList())
        {
            // Partial uploads never named by a final POST: gone with their quota once they expire.
            if (await partials.FindAsync(id, cancellationToken) is { } partial && partial.ExpiresAt <= now)
            {
                await partials.DeleteAsync(partial);
                Log.StagingSwept(logger, id);
                swept++;
            }
        }
        return swept;
    }
}
