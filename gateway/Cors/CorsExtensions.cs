using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Cors;

internal static class CorsExtensions
{
    public static IServiceCollection AddGatewayCors(this IServiceCollection services)
    {
        services.AddOptions<GatewayCorsOptions>().BindConfiguration(GatewayCorsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayCorsOptions>, CorsOptionsValidation>();
        services.AddSingleton<AllowedOrigins>();
        services.AddCors();
        services.Replace(ServiceDescriptor.Singleton<ICorsPolicyProvider, GatewayCorsPolicyProvider>());
        return services;
    }

    /// <summary>
    /// After authentication (the policy depends on the caller's tenant) and before everything that may refuse
    /// a request (the tus version check, authorization, the rate limiter, the handlers): the middleware adds
    /// its headers as the response starts, so the exception handler's and the status-code pages' problem
    /// bodies carry them too, and a page can read every refusal.
    /// </summary>
    public static IApplicationBuilder UseGatewayCors(this IApplicationBuilder app) => app.UseCors();
}
