namespace Gateway.Expiry;

internal static class ExpiryExtensions
{
    public static IServiceCollection AddExpiry(this IServiceCollection services)
    {
        services.AddOptions<ExpiryOptions>().BindConfiguration(ExpiryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ExpirySweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<ExpirySweeper>());
        return services;
    }
}
