using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Draining;

/// <summary><c>/readyz</c>'s <c>drain</c>: unready from the moment the instance began to drain, so load balancers stop sending.</summary>
internal sealed class DrainingCheck(InFlightRequests requests) : IHealthCheck
{
    public const string Name = "drain";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(requests.Draining ? HealthCheckResult.Unhealthy("The instance is draining.") : HealthCheckResult.Healthy());
}
