using System.Threading.RateLimiting;
using Gateway.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Gateway.Http;

namespace Gateway.Limits;

/// <summary>
/// The per-tenant request rate (README.md, limits): a token bucket per tenant, sized by the tenant's
/// <c>RequestsPerSecond</c> and <c>RequestBurst</c>. Anonymous requests that reach it (the anonymous
/// endpoints) share buckets per client address; refused credentials never reach it (authorization answers 401
/// first), so key guessing is throttled by <see cref="AuthFailureThrottle"/>. Over the rate: <c>429 rate_limited</c> with <c>Retry-After</c>.
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddTenantRateLimiting(this IServiceCollection services) =>
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (TenantResolution.Find(context) is { } tenant)
                {
                    return RateLimitPartition.GetTokenBucketLimiter("tenant:" + tenant.Name, _ => Bucket(tenant.Limits.RequestsPerSecond, tenant.Limits.RequestBurst));
                }
                var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetTokenBucketLimiter("anonymous:" + address, _ => Bucket(20, 40));
            });
            // 429 and Retry-After only: the front's status-code page writes the body (v1: rate_limited).
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (rejected, _) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                rejected.HttpContext.Response.Headers.SetRetryAfter(retryAfter);
                return ValueTask.CompletedTask;
            };
        });

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
