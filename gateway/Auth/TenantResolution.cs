using Gateway.Contract;

namespace Gateway.Auth;

/// <summary>
/// Handlers take the caller as a <see cref="Tenant"/> parameter: minimal APIs bind it through
/// <see cref="BindAsync"/>, from the authenticated principal's tenant claim.
/// </summary>
internal static class TenantResolution
{
    public static Tenant Resolve(HttpContext context)
    {
        var name = context.User.FindFirst(TenantClaims.Tenant)?.Value;
        var tenants = context.RequestServices.GetRequiredService<TenantDirectory>();
        return name is not null && tenants.TryGet(name, out var tenant)
            ? tenant
            : throw new GatewayException(ErrorCode.Unauthorized, "The credentials do not select a configured tenant.");
    }
}
