using System.Collections.Concurrent;
using Gateway.Auth;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gateway.Cors;

/// <summary>
/// The framework's CORS middleware asks this for the policy of each request: the policy of the front the path
/// belongs to (<see cref="FrontCorsProfiles"/>), with origins allowed per <see cref="AllowedOrigins"/>: those of
/// the caller's tenant once its credentials were accepted (the middleware runs after authentication), those
/// of any tenant for a preflight or a refused credential, so the page can read the refusal.
/// </summary>
internal sealed class GatewayCorsPolicyProvider(AllowedOrigins origins, IOptions<GatewayCorsOptions> options) : ICorsPolicyProvider
{
    /// <summary>One policy per front and tenant (null: any tenant), built on first use.</summary>
    private readonly ConcurrentDictionary<(FrontCorsProfile Front, string? Tenant), CorsPolicy> _policies = new();
    private readonly TimeSpan _maxAge = options.Value.Cors.PreflightMaxAge;

    public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        if (FrontCorsProfiles.For(context.Request.Path) is not { } profile)
        {
            return Task.FromResult<CorsPolicy?>(null);
        }
        var tenant = TenantResolution.Find(context)?.Name;
        return Task.FromResult<CorsPolicy?>(_policies.GetOrAdd((profile, tenant), key => Build(key.Front,
            key.Tenant is { } name ? origin => origins.TenantAllows(name, origin) : origins.AnyTenantAllows)));
    }

    private CorsPolicy Build(FrontCorsProfile profile, Func<string, bool> allows) =>
        // No credentials mode: pages send the token in Authorization, never cookies, so the origin is echoed
        // (never "*", which would also expose refusals to every site) with Vary: Origin.
        new CorsPolicyBuilder()
            .SetIsOriginAllowed(allows)
            .WithMethods(profile.Methods)
            .WithHeaders(profile.RequestHeaders)
            .WithExposedHeaders(profile.ExposedHeaders)
            .SetPreflightMaxAge(_maxAge)
            .Build();
}
