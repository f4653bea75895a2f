using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Gateway.Auth;

/// <summary>Authenticates <c>Authorization: Bearer &lt;API key&gt;</c> against the tenants' key hashes.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    TenantDirectory tenants)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!BearerToken.TryRead(Request, out var token))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (!tenants.TryFindByApiKey(token, out var tenant))
        {
            // Never log the key itself: only that one was refused.
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }
        TenantResolution.Attach(Context, tenant);
        var identity = new ClaimsIdentity([new Claim(TenantClaims.Tenant, tenant.Name)], SchemeName);
        if (tenant.IsAdmin)
        {
            identity.AddClaim(new Claim(TenantClaims.Scope, TenantClaims.AdminScope));
        }
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => AuthProblems.ChallengeAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => AuthProblems.ForbidAsync(Context);
}

/// <summary>
/// A failed authentication (401) and a missing scope (403) answer with their status only: each front's
/// status-code page writes the body in its own shape (v1: problem+json naming <c>unauthorized</c> or
/// <c>forbidden</c>, with <c>WWW-Authenticate: Bearer</c>).
/// </summary>
internal static class AuthProblems
{
    public static Task ChallengeAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }

    public static Task ForbidAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }
}

internal static class TenantClaims
{
    public const string Tenant = "tenant";
    public const string Scope = "scope";
    public const string AdminScope = "uploads:admin";
}
