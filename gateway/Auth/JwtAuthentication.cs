using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Auth;

/// <summary>
/// JWT bearer authentication (Microsoft.AspNetCore.Authentication.JwtBearer), and the scheme that sends each
/// request to it or to the API-key handler by the shape of its token.
/// </summary>
internal static class JwtAuthentication
{
    public const string SchemeName = "Jwt";

    /// <summary>The default scheme: three dot-separated parts go to JWT validation (when configured), anything else is an API key.</summary>
    public const string BearerSchemeName = "Bearer";

    public static AuthenticationBuilder AddGatewayJwt(this AuthenticationBuilder authentication, JwtOptions jwt)
    {
        authentication.AddPolicyScheme(BearerSchemeName, "API key or JWT", policy =>
            policy.ForwardDefaultSelector = context =>
                jwt.Enabled && BearerToken.TryRead(context.Request, out var token) && BearerToken.LooksLikeJwt(token)
                    ? SchemeName
                    : ApiKeyAuthenticationHandler.SchemeName);
        if (!jwt.Enabled)
        {
            return authentication;
        }
        return authentication.AddJwtBearer(SchemeName, options =>
        {
            options.MapInboundClaims = false;
            options.Authority = jwt.Authority;
            // An http:// authority is refused at start outside Development (AuthExtensions), so here it is a
            // developer's local issuer: metadata over plain HTTP is allowed for it and nothing else.
            options.RequireHttpsMetadata = jwt.Authority?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ?? true;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = jwt.Issuer,
                ValidAudience = jwt.Audience,
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                // Unsigned tokens ("alg": "none") are refused: a signature is the whole point.
                RequireSignedTokens = true,
                ValidateIssuerSigningKey = true,
                IssuerSigningKey = jwt.SigningKey is { Length: > 0 } key ? new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)) : null,
                ClockSkew = jwt.ClockSkew,
                ValidTypes = jwt.ValidTypes,
            };
            options.Events = new JwtBearerEvents
            {
                OnTokenValidated = context => SelectTenant(context, jwt),
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    await AuthProblems.ChallengeAsync(context.HttpContext);
                },
                OnForbidden = context => AuthProblems.ForbidAsync(context.HttpContext),
            };
        });
    }

    /// <summary>
    /// The token's tenant claim must name a configured tenant. The admin scope counts only for a tenant
    /// configured with <c>Admin: true</c>: a token's issuer may grant scopes, the gateway's operator decides
    /// which tenants may see across tenants.
    /// </summary>
    private static Task SelectTenant(TokenValidatedContext context, JwtOptions jwt)
    {
        // RFC 7515 §4.1.11: a recipient that does not understand every extension named in "crit" must reject
        // the token. This gateway understands none.
        if (context.SecurityToken is JsonWebToken token && token.TryGetHeaderValue<object>("crit", out _))
        {
            context.Fail("The token names critical header extensions this gateway does not understand.");
            return Task.CompletedTask;
        }
        var principal = context.Principal!;
        var tenantName = principal.FindFirst(jwt.TenantClaim)?.Value;
        var tenants = context.HttpContext.RequestServices.GetRequiredService<TenantDirectory>();
        if (tenantName is null || !tenants.TryGet(tenantName, out var tenant))
        {
            context.Fail("The token's tenant claim does not name a configured tenant.");
            return Task.CompletedTask;
        }
        TenantResolution.Attach(context.HttpContext, tenant);
        var identity = new ClaimsIdentity([new Claim(TenantClaims.Tenant, tenant.Name)], SchemeName);
        var scopes = principal.FindAll(TenantClaims.Scope).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (tenant.IsAdmin && scopes.Contains(jwt.AdminScope, StringComparer.Ordinal))
        {
            identity.AddClaim(new Claim(TenantClaims.Scope, TenantClaims.AdminScope));
        }
        context.Principal = new ClaimsPrincipal(identity);
        return Task.CompletedTask;
    }
}
