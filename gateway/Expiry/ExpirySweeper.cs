using Gateway.Sessions;
using Gateway.Telemetry;
using Gateway.Uploads;
using Microsoft.Extensions.Options;

namespace Gateway.Expiry;

/// <summary>
/// Ends expired sessions: their backend sessions aborted, their quota released, their status <c>expired</c>
/// (docs/architecture.md, state and scale). Every instance runs one; a lock with a lease in the store lets one
/// sweep at a time, and another take over when the holder dies.
/// </summary>
internal sealed class ExpirySweeper(
    ISessionExpiryIndex index,
    IStoreLock locks,
    UploadLifecycle lifecycle,
    IOptions<ExpiryOptions> options,
    TimeProvider time,
    ILogger<ExpirySweeper> logger) : BackgroundService
{
    public const string LockName = "expiry-sweeper";
    private const int Batch = 100;
    private const int MaxBatchesPerSweep = 50;

    /// <summary>Who holds the lock: unique per sweeper instance.</summary>
    public string Owner { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                Log.SweepFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One sweep, if this instance gets the lock. Returns how many sessions it expired.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        using var activity = GatewayTelemetry.Start("expiry sweep");
        if (!await locks.TryAcquireLockAsync(LockName, Owner, options.Value.LockLease))
        {
            return 0;
        }
        var expired = 0;
        try
        {
            for (var batch = 0; batch < MaxBatchesPerSweep; batch++)
            {
                var due = await index.DueForExpiryAsync(Batch, cancellationToken);
                foreach (var id in due)
                {
                    if (await lifecycle.ExpireAsync(id, cancellationToken))
                    {
                        expired++;
                    }
                }
                // Renew the lease between batches; stop if it was lost to another instance meanwhile.
                if (due.Count < Batch || !await locks.TryAcquireLockAsync(LockName, Owner, options.Value.LockLease))
                {
                    break;
                }
            }
        }
        finally
        {
            await locks.ReleaseLockAsync(LockName, Owner);
        }
        if (expired > 0)
        {
            Log.Swept(logger, expired);
        }
        return expired;
    }
}
