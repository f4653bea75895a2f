using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Gateway.Auth;

internal static class AuthExtensions
{
    public const string AdminPolicy = "admin";

    public static IServiceCollection AddGatewayAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TenantCatalogOptions>().BindConfiguration(TenantCatalogOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TenantCatalogOptions>, TenantCatalogValidation>();
        services.AddOptions<JwtOptions>().BindConfiguration(JwtOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidation>();
        services.AddSingleton<TenantDirectory>();

        var jwt = configuration.GetSection(JwtOptions.Section).Get<JwtOptions>() ?? new JwtOptions();
        services.AddAuthentication(JwtAuthentication.BearerSchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddGatewayJwt(jwt);
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(TenantClaims.Tenant).Build())
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireClaim(TenantClaims.Scope, TenantClaims.AdminScope));
        return services;
    }

    /// <summary>Start-up checks of <c>Gateway:Auth:Jwt</c>.</summary>
    private sealed class JwtOptionsValidation(IHostEnvironment environment) : IValidateOptions<JwtOptions>
    {
        public ValidateOptionsResult Validate(string? name, JwtOptions options)
        {
            if (!options.Enabled)
            {
                return ValidateOptionsResult.Success;
            }
            var failures = new List<string>();
            if (string.IsNullOrWhiteSpace(options.Audience))
            {
                failures.Add($"{JwtOptions.Section}:Audience is required when an Issuer is set.");
            }
            var hasKey = !string.IsNullOrEmpty(options.SigningKey);
            if (hasKey == !string.IsNullOrWhiteSpace(options.Authority))
            {
                failures.Add($"{JwtOptions.Section}: set exactly one of SigningKey (a shared HMAC secret) or Authority (an OpenID Connect issuer).");
            }
            // Signing keys fetched over plain HTTP can be swapped by anyone on the path: only a developer's machine may.
            if (options.Authority is { Length: > 0 } authority && !authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                && !environment.IsDevelopment())
            {
                failures.Add($"{JwtOptions.Section}:Authority must be an https:// URL outside the Development environment.");
            }
            if (options.ValidTypes is not { Length: > 0 } || options.ValidTypes.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{JwtOptions.Section}:ValidTypes must name at least one token type (typ), e.g. JWT.");
            }
            if (hasKey && System.Text.Encoding.UTF8.GetByteCount(options.SigningKey!) < 32)
            {
                failures.Add($"{JwtOptions.Section}:SigningKey must have at least 32 bytes (HS256 needs a 256-bit key).");
            }
            if (string.IsNullOrWhiteSpace(options.TenantClaim))
            {
                failures.Add($"{JwtOptions.Section}:TenantClaim may not be empty.");
            }
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
