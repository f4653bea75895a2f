namespace Gateway.Limits;

internal static class LimitsExtensions
{
    public static IServiceCollection AddLimits(this IServiceCollection services)
    {
        services.AddSingleton<StagingQuota>();
        services.AddTenantRateLimiting();
        return services;
    }
}
