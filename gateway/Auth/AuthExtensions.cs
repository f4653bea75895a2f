using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace Gateway.Auth;

internal static class AuthExtensions
{
    public const string AdminPolicy = "admin";

    public static IServiceCollection AddGatewayAuth(this IServiceCollection services)
    {
        services.AddOptions<TenantCatalogOptions>().BindConfiguration(TenantCatalogOptions.Section).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<TenantCatalogOptions>, TenantCatalogValidation>();
        services.AddSingleton<TenantDirectory>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(TenantClaims.Tenant).Build())
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireClaim(TenantClaims.Scope, TenantClaims.AdminScope));
        return services;
    }
}
