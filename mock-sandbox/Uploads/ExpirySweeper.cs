using Microsoft.Extensions.Options;
using MockSandbox.Configuration;
using MockSandbox.Idempotency;

namespace MockSandbox.Uploads;

/// <summary>
/// Expires sessions nobody touches any more, so their staged bytes leave the disk [ours: "set lazily on
/// access or by a sweep"]. Every access applies expiry too; this only catches the abandoned ones. It also
/// forgets idempotent answers older than one session TTL, the longest a retry can still be useful.
/// </summary>
internal sealed class ExpirySweeper : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly UploadService _uploads;
    private readonly IdempotencyStore _idempotency;
    private readonly MockSandboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ExpirySweeper> _logger;

    public ExpirySweeper(UploadService uploads, IdempotencyStore idempotency, IOptions<MockSandboxOptions> options, TimeProvider time, ILogger<ExpirySweeper> logger)
    {
        ArgumentNullException.ThrowIfNull(uploads);
        ArgumentNullException.ThrowIfNull(idempotency);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _uploads = uploads;
        _idempotency = idempotency;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Ticks on the injected clock's timer: real time for TimeProvider.System; for the tests' FakeTimeProvider
        // it fires when the test advances the clock. POST /_mock/sweep runs one sweep on demand.
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    _uploads.Sweep();
                    _idempotency.Prune(_time.GetUtcNow() - _options.SessionTtl);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    Log.SweepFailed(_logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
