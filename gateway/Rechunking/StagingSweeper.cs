using Gateway.Auth;
using Gateway.Domain;
using Gateway.Sessions;
using Microsoft.Extensions.Options;

namespace Gateway.Rechunking;

/// <summary>
/// Deletes the staging folder of every upload that has ended (aborted, expired, failed; completed and past its
/// expiry time) or is no longer in the store, and a completed one's bytes at once. The core's expiry sweeper ends
/// expired sessions; this follows it for the staged files. One instance at a time, by a lock in the store;
/// deleting twice is harmless anyway.
/// </summary>
/// <remarks>
/// It also finishes commits left half-way: a re-chunked upload whose commit began and whose instance died, or stopped
/// between attempts (Box still assembling), stays <c>completing</c>, and its client may never ask again (tus has no
/// complete call; its last PATCH answered the full offset). The sweep commits it with the digests staged for it, under
/// the commit runner's lock, so never beside an attempt that is still running.
/// </remarks>
internal sealed class StagingSweeper(
    ChunkStaging staging,
    IEnumerable<IStagingSweep> others,
    ISessionStore store,
    Rechunker rechunker,
    TenantDirectory tenants,
    IStoreLock locks,
    IOptions<RechunkingOptions> options,
    TimeProvider time,
    ILogger<StagingSweeper> logger) : BackgroundService
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
        if (!await locks.TryAcquireLockAsync("staging-sweeper", _owner, options.Value.SweepInterval * 2))
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
                // A completed upload's records still answer (tus HEAD) until its expiry time.
                staging.DeleteBytes(id);
                continue;
            }
            var status = session?.StatusAt(now);
            if (status is null || !SessionStatus.IsLive(status))
            {
                staging.Delete(id);
                Log.StagingSwept(logger, id);
                swept++;
            }
            else if (status == SessionStatus.Completing && tenants.TryGet(session!.Tenant, out var tenant))
            {
                await FinishCommitAsync(tenant, session, cancellationToken);
            }
        }
        foreach (var other in others)
        {
            swept += await other.SweepAsync(now, cancellationToken);
        }
        return swept;
    }

    private async Task FinishCommitAsync(Tenant tenant, UploadSession session, CancellationToken cancellationToken)
    {
        try
        {
            // Started, not waited for: the commit goes on in the background (or is another's, when a commit holds the
            // lock), so one slow commit does not hold up the sweep of the others.
            await rechunker.CompleteAsync(tenant, session, TimeSpan.Zero, cancellationToken, answerWithin: TimeSpan.Zero);
        }
        catch (GatewayException e)
        {
            Log.LeftCommitFailed(logger, session.Id, e);
        }
    }
}
