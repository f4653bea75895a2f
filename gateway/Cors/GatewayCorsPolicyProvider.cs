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
    private readonly Dictionary<FrontCorsProfile, CorsPolicy> _anyTenant = [];
    private readonly TimeSpan _maxAge = options.Value.Cors.PreflightMaxAge;

    public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        if (FrontCorsProfiles.For(context.Request.Path) is not { } profile)
        {
            return Task.FromResult<CorsPolicy?>(null);
        }
        if (TenantResolution.Find(context) is { } tenant)
        {
            return Task.FromResult<CorsPolicy?>(Build(profile, origin => origins.TenantAllows(tenant.Name, origin)));
        }
        lock (_anyTenant)
        {
            if (!_anyTenant.TryGetValue(profile, out var policy))
            {
                _anyTenant[profile] = policy = Build(profile, origins.AnyTenantAllows);
            }
            return Task.FromResult<CorsPolicy?>(policy);
        }
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
