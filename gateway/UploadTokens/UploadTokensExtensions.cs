using Gateway.Auth;
using Gateway.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.UploadTokens;

internal static class UploadTokensExtensions
{
    /// <summary>The scheme every request's bearer token goes to first: upload tokens here, anything else where it went before.</summary>
    private const string SelectorScheme = "BearerOrUploadToken";

    /// <summary>
    /// Registers the upload-token scheme beside Auth's schemes without changing them: a policy scheme becomes
    /// the default and sends <c>ut_…</c> tokens to <see cref="UploadTokenAuthenticationHandler"/>, every other
    /// request to Auth's own default (<see cref="JwtAuthentication.BearerSchemeName"/>). Call after AddGatewayAuth.
    /// </summary>
    public static IServiceCollection AddUploadTokens(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<UploadTokenOptions>().BindConfiguration(UploadTokenOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UploadTokenOptions>, UploadTokenOptionsValidation>();
        if (string.IsNullOrWhiteSpace(configuration[$"{StoreOptions.Section}:Redis"]))
        {
            services.AddSingleton<IUploadTokenStore, InMemoryUploadTokenStore>();
        }
        else
        {
            services.AddSingleton<IUploadTokenStore>(sp => new RedisUploadTokenStore(sp.GetRequiredService<IConnectionMultiplexer>(),
                sp.GetRequiredService<IOptions<StoreOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        }
        services.AddSingleton<UploadTokenAdmission>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, UploadTokenAuthenticationHandler>(UploadTokenAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(SelectorScheme, "Upload token, or API key or JWT", policy =>
                policy.ForwardDefaultSelector = context =>
                    BearerToken.TryRead(context.Request, out var token) && UploadTokenFormat.Looks(token)
                        ? UploadTokenAuthenticationHandler.SchemeName
                        : JwtAuthentication.BearerSchemeName);
        services.PostConfigure<AuthenticationOptions>(options => options.DefaultScheme = SelectorScheme);
        return services;
    }
}
