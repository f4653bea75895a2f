using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Gateway.Limits;

/// <summary><c>Gateway:Limits:FailedAuthentication</c>: how many refused credentials a client address may send.</summary>
internal sealed class FailedAuthenticationOptions
{
    public const string Section = "Gateway:Limits:FailedAuthentication";

    /// <summary>Refusals an address may collect at once before its credentials are no longer even checked.</summary>
    [Range(1, 100_000)]
    public int Burst { get; set; } = 20;

    /// <summary>Refusals given back per minute (one at a time, evenly spread).</summary>
    [Range(1, 60_000)]
    public int PerMinute { get; set; } = 60;
}

/// <summary>
/// Key guessing, throttled per client address (the forwarded one behind a trusted proxy). The per-tenant rate
/// limiter cannot do it: a request with a wrong key has no tenant and is answered 401 by authorization before
/// the limiter runs. So every 401 to a request that carried <c>Authorization</c> takes a token from the
/// address's bucket (the framework's token bucket), and while the bucket is empty a request with credentials
/// from that address is answered <c>429</c> with <c>Retry-After</c> before its credentials are checked, so a
/// right guess looks like a wrong one. Requests without credentials (health, tus discovery) are not affected.
/// </summary>
internal sealed class AuthFailureThrottle(IOptions<FailedAuthenticationOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _refusals = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.Burst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / options.Value.PerMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    private static readonly object ThrottledKey = new();

    /// <summary>Whether this request's 429 is the address's refusals used up, not a tenant's rate (the fronts word them apart).</summary>
    public static bool Throttled(HttpContext context) => context.Items.ContainsKey(ThrottledKey);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Headers.ContainsKey("Authorization"))
        {
            await next(context);
            return;
        }
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        // Whether any refusal is left, without taking one (a lease of zero permits is not reliable across
        // versions of System.Threading.RateLimiting; the statistics are).
        if (_refusals.GetStatistics(address) is { CurrentAvailablePermits: <= 0 })
        {
            // The next refusal comes back within one replenishment period.
            var wait = TimeSpan.FromMinutes(1) / options.Value.PerMinute;
            context.Items[ThrottledKey] = true;
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return;
        }
        await next(context);
        if (context.Response.StatusCode == StatusCodes.Status401Unauthorized)
        {
            _refusals.AttemptAcquire(address).Dispose();
        }
    }

    public void Dispose() => _refusals.Dispose();
}

internal static class AuthFailureThrottleExtensions
{
    /// <summary>Before authentication, after the front's status-code pages (which write the 429's body).</summary>
    public static IApplicationBuilder UseAuthFailureThrottle(this IApplicationBuilder app)
    {
        var throttle = app.ApplicationServices.GetRequiredService<AuthFailureThrottle>();
        return app.Use(next => context => throttle.InvokeAsync(context, next));
    }
}
