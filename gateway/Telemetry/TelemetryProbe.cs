using System.Diagnostics;
using Gateway.Backends;
using Gateway.Sessions;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace Gateway.Telemetry;

/// <summary>What the last probe saw; null where it has not looked yet.</summary>
internal sealed record ProbeResult(bool? StoreReachable, long? LiveSessions, IReadOnlyDictionary<string, bool> Backends)
{
    public static readonly ProbeResult Unknown = new(null, null, new Dictionary<string, bool>());
}

/// <summary>
/// Feeds the gauges <c>gateway.store.up</c>, <c>gateway.backend.up</c> and <c>gateway.sessions.active</c>: the
/// same checks as <c>/readyz</c>, plus the store's count of live sessions.
/// </summary>
/// <remarks>
/// Gauge callbacks are synchronous and a probe is I/O, so a read returns the last result and starts a new probe
/// when the last one is older than <see cref="TelemetryOptions.ProbeInterval"/>: values lag one read behind, and
/// a gateway whose metrics nobody reads probes nothing (no stray requests to backends or mocks).
/// </remarks>
internal sealed class TelemetryProbe(
    ISessionStore store,
    BackendRegistry backends,
    GatewayMetrics metrics,
    IOptions<TelemetryOptions> options,
    ILogger<TelemetryProbe> logger) : IHostedService
{
    private readonly Lock _lock = new();
    private ProbeResult _last = ProbeResult.Unknown;
    private Task? _running;
    private long _startedAt;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.Observe(this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _running ?? Task.CompletedTask;

    /// <summary>The last result; starts a fresh probe if it is due.</summary>
    public ProbeResult Current
    {
        get
        {
            lock (_lock)
            {
                // Real elapsed time on purpose: this spaces out I/O, and a test's frozen clock must not stop it.
                if (_running is not { IsCompleted: false } && (_startedAt == 0 || Stopwatch.GetElapsedTime(_startedAt) >= options.Value.ProbeInterval))
                {
                    _startedAt = Stopwatch.GetTimestamp();
                    _running = Task.Run(ProbeAsync);
                }
                return _last;
            }
        }
    }

    /// <summary>One probe now; the next read of <see cref="Current"/> returns its result.</summary>
    public async Task<ProbeResult> ProbeAsync()
    {
        ProbeResult result;
        // Not traced: a root trace every few seconds from every instance would bury the uploads' traces.
        using (SuppressInstrumentationScope.Begin())
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var reachable = CheckAsync("store", () => store.IsReachableAsync(timeout.Token));
            var live = CountLiveAsync(timeout.Token);
            var checks = backends.All.Select(b => (b.Name, Reachable: CheckAsync("backend " + b.Name, () => b.IsReachableAsync(timeout.Token)))).ToList();
            await Task.WhenAll([reachable, live, .. checks.Select(c => c.Reachable)]);
            result = new ProbeResult(await reachable, await live, checks.ToDictionary(c => c.Name, c => c.Reachable.Result));
        }
        lock (_lock)
        {
            _last = result;
        }
        return result;
    }

    private async Task<bool> CheckAsync(string target, Func<Task<bool>> check)
    {
        try
        {
            return await check();
        }
        catch (Exception e)
        {
            Log.ProbeFailed(logger, target, e);
            return false;
        }
    }

    private async Task<long?> CountLiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await store.ListLiveAsync(0, cancellationToken)).Total;
        }
        catch (Exception e)
        {
            // Unknown rather than zero: a store outage must not look like an idle gateway.
            Log.ProbeFailed(logger, "store", e);
            return null;
        }
    }
}
