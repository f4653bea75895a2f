namespace Gateway.Limits;

internal static class LimitsExtensions
{
    public static IServiceCollection AddLimits(this IServiceCollection services)
    {
        services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StagingQuota>();
        services.AddOptions<FailedAuthenticationOptions>().BindConfiguration(FailedAuthenticationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AuthFailureThrottle>();
        services.AddTenantRateLimiting();
        return services;
    }
}
