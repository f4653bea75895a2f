using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests.Auth;

/// <summary>JWTs for tests: good ones, and every way a token can be wrong.</summary>
public static class Tokens
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "upload-gateway";
    public const string SigningKey = "test-signing-key-that-is-long-enough-0123456789";

    public static string Create(
        string? tenant = "acme",
        string? scope = null,
        string key = SigningKey,
        string issuer = Issuer,
        string audience = Audience,
        DateTime? expires = null,
        DateTime? notBefore = null,
        string type = "JWT",
        IDictionary<string, object>? header = null)
    {
        var claims = new List<Claim> { new("sub", "user-1") };
        if (tenant is not null)
        {
            claims.Add(new Claim("tenant", tenant));
        }
        if (scope is not null)
        {
            claims.Add(new Claim("scope", scope));
        }
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = (notBefore ?? now).AddMinutes(-1),
            NotBefore = notBefore ?? now.AddMinutes(-1),
            Expires = expires ?? now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
            TokenType = type,
            AdditionalHeaderClaims = header,
        });
    }

    /// <summary>An unsigned token, <c>"alg": "none"</c>, with otherwise valid claims.</summary>
    public static string Unsigned(string tenant = "acme")
    {
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        return Base64Url("""{"alg":"none","typ":"JWT"}""") + "." +
            Base64Url($$"""{"iss":"{{Issuer}}","aud":"{{Audience}}","tenant":"{{tenant}}","exp":{{exp}}}""") + ".";
    }

    public static void Configure(Dictionary<string, string?> settings)
    {
        settings["Gateway:Auth:Jwt:Issuer"] = Issuer;
        settings["Gateway:Auth:Jwt:Audience"] = Audience;
        settings["Gateway:Auth:Jwt:SigningKey"] = SigningKey;
    }

    private static string Base64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
