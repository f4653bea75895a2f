using Gateway.Domain;

namespace Gateway.Auth;

/// <summary>
/// The caller's tenant, resolved once per request: the authentication handler that accepted the credentials
/// attaches it to the request, and the rate limiter and the handlers' <see cref="Tenant"/> parameter
/// (<see cref="Tenant.BindAsync"/>) read it from there instead of looking it up again.
/// </summary>
internal static class TenantResolution
{
    private sealed record TenantFeature(Tenant Tenant);

    public static void Attach(HttpContext context, Tenant tenant) => context.Features.Set(new TenantFeature(tenant));

    /// <summary>The authenticated caller's tenant, or null for an anonymous request.</summary>
    public static Tenant? Find(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true ? context.Features.Get<TenantFeature>()?.Tenant : null;

    public static Tenant Resolve(HttpContext context) =>
        Find(context) ?? throw new GatewayException(ErrorCode.Unauthorized, "The credentials do not select a configured tenant.");
}
