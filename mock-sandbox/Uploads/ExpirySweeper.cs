using Microsoft.Extensions.Options;
using MockSandbox.Configuration;
using MockSandbox.Idempotency;

namespace MockSandbox.Uploads;

/// <summary>
/// Expires sessions nobody touches any more, so their staged bytes leave the disk [ours: "set lazily on
/// access or by a sweep"]. Every access applies expiry too; this only catches the abandoned ones. It also
/// forgets idempotent answers older than one session TTL, the longest a retry can still be useful.
/// </summary>
internal sealed class ExpirySweeper(
    UploadService uploads, IdempotencyStore idempotency, IOptions<MockSandboxOptions> options, TimeProvider time, ILogger<ExpirySweeper> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    uploads.Sweep();
                    idempotency.Prune(time.GetUtcNow() - options.Value.SessionTtl);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    Log.SweepFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
