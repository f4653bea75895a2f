using Gateway.Backends;
using Gateway.Sessions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;

namespace Gateway.Telemetry;

/// <summary>
/// Readiness of the session store (<c>/readyz</c>'s <c>store</c>): it answered its count of live sessions, which
/// the check hands on to <c>gateway.sessions.active</c>.
/// </summary>
/// <remarks>
/// Not traced: run every few seconds by every instance (and by every load-balancer probe), its spans would bury
/// the uploads' traces.
/// </remarks>
internal sealed class StoreHealthCheck(ISessionStore store) : IHealthCheck
{
    public const string Name = "store";

    public const string LiveSessions = "live_sessions";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var untraced = SuppressInstrumentationScope.Begin();
        if (!await store.IsReachableAsync(cancellationToken))
        {
            return HealthCheckResult.Unhealthy("The session store did not answer.");
        }
        var live = await store.ListLiveAsync(0, cancellationToken);
        return HealthCheckResult.Healthy(data: new Dictionary<string, object> { [LiveSessions] = live.Total });
    }
}

/// <summary>Readiness of one backend (<c>/readyz</c>'s <c>backend:{name}</c>): any HTTP answer from a destination of its cluster.</summary>
internal sealed class BackendHealthCheck(BackendRegistry backends, string name) : IHealthCheck
{
    public const string Prefix = "backend:";

    public static string NameOf(string backend) => Prefix + backend;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var untraced = SuppressInstrumentationScope.Begin();
        return await backends.Get(name).IsReachableAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The backend did not answer.");
    }
}

/// <summary>
/// The last health report the framework's publisher produced (every <see cref="TelemetryOptions.ProbeInterval"/>),
/// read by the gauges <c>gateway.store.up</c>, <c>gateway.backend.up</c> and <c>gateway.sessions.active</c>: the
/// same checks as <c>/readyz</c>, not a second probe.
/// </summary>
internal sealed class HealthGauges : IHealthCheckPublisher
{
    private volatile HealthReport? _last;

    public HealthGauges(GatewayMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        metrics.Observe(this);
    }

    /// <summary>Whether the store answered at the last run; null before the first.</summary>
    public bool? StoreUp => _last?.Entries.TryGetValue(StoreHealthCheck.Name, out var store) == true ? store.Status == HealthStatus.Healthy : null;

    /// <summary>The store's count of live sessions at the last run; null when unknown (an outage is not an idle gateway).</summary>
    public long? LiveSessions =>
        _last?.Entries.TryGetValue(StoreHealthCheck.Name, out var store) == true && store.Data.TryGetValue(StoreHealthCheck.LiveSessions, out var live)
            ? (long)live
            : null;

    /// <summary>Each backend and whether it answered at the last run.</summary>
    public IEnumerable<KeyValuePair<string, bool>> Backends =>
        _last?.Entries.Where(e => e.Key.StartsWith(BackendHealthCheck.Prefix, StringComparison.Ordinal))
            .Select(e => KeyValuePair.Create(e.Key[BackendHealthCheck.Prefix.Length..], e.Value.Status == HealthStatus.Healthy)) ?? [];

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        _last = report;
        return Task.CompletedTask;
    }
}
