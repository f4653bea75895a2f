using Microsoft.Extensions.Options;

namespace Gateway.Hooks;

internal static class HooksExtensions
{
    /// <summary>The pre-create hook: its options (validated at start-up) and its HTTP client.</summary>
    public static IServiceCollection AddHooks(this IServiceCollection services)
    {
        services.AddOptions<PreCreateHookOptions>().BindConfiguration(PreCreateHookOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PreCreateHookOptions>, PreCreateHookValidation>();
        services.AddHttpClient(PreCreateHook.ClientName, (sp, client) =>
            {
                var timeout = sp.GetRequiredService<IOptions<PreCreateHookOptions>>().Value.Timeout;
                client.Timeout = timeout > TimeSpan.Zero ? timeout : System.Threading.Timeout.InfiniteTimeSpan;
            })
            // The factory's request logs list every header; the hook's own logs say what a call did.
            .RemoveAllLoggers()
            // A redirect is an answer the hook did not mean for the gateway to act on (and would send the signed
            // body somewhere else): it is refused as unavailable, never followed. No retries either: a create waits.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            });
        services.AddSingleton<PreCreateHook>();
        return services;
    }
}
