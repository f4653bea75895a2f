using Gateway.Sessions.InMemory;
using Gateway.Sessions.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions;

internal static class SessionsExtensions
{
    /// <summary>Redis when <c>Gateway:Store:Redis</c> is set, else the embedded in-memory store.</summary>
    public static IServiceCollection AddSessionStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StoreOptions>().BindConfiguration(StoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (string.IsNullOrWhiteSpace(configuration[$"{StoreOptions.Section}:Redis"]))
        {
            services.AddSingleton<ISessionStore>(sp => new InMemorySessionStore(Options(sp), sp.GetRequiredService<TimeProvider>()));
        }
        else
        {
            services.AddSingleton<IConnectionMultiplexer>(sp =>
            {
                var redis = ConfigurationOptions.Parse(Options(sp).Redis!);
                // Start even while Redis is down: /readyz says so, requests get store_unavailable, and the
                // multiplexer reconnects by itself.
                redis.AbortOnConnectFail = false;
                return ConnectionMultiplexer.Connect(redis);
            });
            services.AddSingleton<ISessionStore>(sp =>
                new RedisSessionStore(sp.GetRequiredService<IConnectionMultiplexer>(), Options(sp), sp.GetRequiredService<TimeProvider>()));
        }
        return services;
    }

    private static StoreOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<StoreOptions>>().Value;
}
