using System.ComponentModel.DataAnnotations;

namespace Gateway.Auth;

/// <summary>
/// <c>Gateway:Auth:Jwt</c>: JWT bearer tokens as an alternative to API keys. Off unless an issuer is set.
/// Tokens are checked for signature, issuer, audience and lifetime; a claim selects the tenant, which must be
/// one of <c>Gateway:Tenants</c> (its limits and allowed backends apply).
/// </summary>
internal sealed class JwtOptions
{
    public const string Section = "Gateway:Auth:Jwt";

    public string? Issuer { get; set; }

    public string? Audience { get; set; }

    /// <summary>A shared HMAC secret (HS256/384/512), at least 32 bytes of UTF-8. Or use <see cref="Authority"/>.</summary>
    public string? SigningKey { get; set; }

    /// <summary>An OpenID Connect issuer whose published keys sign the tokens (RS256, ES256, …).</summary>
    public string? Authority { get; set; }

    /// <summary>
    /// The token types (<c>typ</c> header, RFC 8725 §3.11) accepted: by default plain <c>JWT</c>, so an ID token,
    /// a logout token or another profile's token (<c>at+jwt</c>) minted by the same issuer is not taken for this
    /// gateway's bearer token. A token without <c>typ</c> is refused too.
    /// </summary>
    public string[] ValidTypes { get; set; } = ["JWT"];

    /// <summary>The claim whose value names the tenant.</summary>
    public string TenantClaim { get; set; } = "tenant";

    /// <summary>The scope (in the space-separated <c>scope</c> claim) that grants the operational endpoints.</summary>
    public string AdminScope { get; set; } = TenantClaims.AdminScope;

    /// <summary>Tolerance for clocks that disagree about <c>exp</c> and <c>nbf</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(Issuer);
}
