using System.Security.Claims;
using System.Text.Encodings.Web;
using Gateway.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Gateway.UploadTokens;

/// <summary>
/// Authenticates <c>Authorization: Bearer ut_…</c>: the grant is read from the store on every request (so a
/// revocation holds at once on every instance), its secret compared in constant time, its expiry checked by
/// the gateway's clock. The caller becomes the grant's tenant carrying the grant (<see cref="Tenant.UploadToken"/>),
/// which the lifecycle holds every create to, and <see cref="UploadTokenAccess"/> every other request.
/// </summary>
internal sealed class UploadTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IUploadTokenStore store,
    TenantDirectory tenants,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "UploadToken";

    /// <summary>The claim naming the token's id; its presence is what marks a caller as an upload token.</summary>
    public const string TokenIdClaim = "upload_token";

    /// <summary>RFC 6750 §3.1: the token is expired, revoked, malformed or unknown.</summary>
    public const string InvalidTokenChallenge = "Bearer error=\"invalid_token\"";

    private readonly ILogger _logger = loggerFactory.CreateLogger<UploadTokenAuthenticationHandler>();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!BearerToken.TryRead(Request, out var token) || !UploadTokenFormat.Looks(token))
        {
            return AuthenticateResult.NoResult();
        }
        if (!UploadTokenFormat.TryParse(token, out var tokenId, out var secret))
        {
            return Refuse("malformed");
        }
        if (await store.FindAsync(tokenId) is not { } found)
        {
            return Refuse($"{tokenId} unknown, revoked or expired");
        }
        var (grant, secretHash) = found;
        if (!UploadTokenFormat.SecretMatches(secret, secretHash))
        {
            return Refuse($"{tokenId} with a wrong secret");
        }
        if (grant.ExpiresAt <= time.GetUtcNow())
        {
            return Refuse($"{tokenId} expired");
        }
        if (!tenants.TryGet(grant.Tenant, out var tenant))
        {
            return Refuse($"{tokenId} of a tenant no longer configured");
        }
        TenantResolution.Attach(Context, tenant with { UploadToken = grant });
        var identity = new ClaimsIdentity([new Claim(TenantClaims.Tenant, tenant.Name), new Claim(TokenIdClaim, grant.TokenId)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // The front's status-code page writes the 401 in its own shape and its own WWW-Authenticate; an upload
        // token's holder (a page) is told the token itself is what failed, so it asks its app for a new one.
        Response.OnStarting(() =>
        {
            if (Response.StatusCode == StatusCodes.Status401Unauthorized
                && !Response.Headers[HeaderNames.WWWAuthenticate].ToString().Contains("error=\"invalid_token\"", StringComparison.Ordinal))
            {
                Response.Headers.WWWAuthenticate = InvalidTokenChallenge;
            }
            return Task.CompletedTask;
        });
        return AuthProblems.ChallengeAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => AuthProblems.ForbidAsync(Context);

    private AuthenticateResult Refuse(string reason)
    {
        Log.Refused(_logger, reason);
        return AuthenticateResult.Fail("Invalid upload token.");
    }
}
