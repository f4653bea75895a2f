using Gateway.Sessions.InMemory;
using Gateway.Sessions.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions;

internal static class SessionsExtensions
{
    /// <summary>
    /// Redis when <c>Gateway:Store:Redis</c> is set, else the embedded in-memory store; registered as
    /// <see cref="ISessionStore"/>, and its capabilities (<see cref="ISessionListing"/>, <see cref="ISessionExpiryIndex"/>,
    /// <see cref="IQuotaStore"/>, <see cref="IStoreLock"/>) as that same instance, whatever wraps it; the
    /// <see cref="IEventLog"/> as the store itself (its reads are Redis command spans, no store operation of a session).
    /// </summary>
    public static IServiceCollection AddSessionStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StoreOptions>().BindConfiguration(StoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (string.IsNullOrWhiteSpace(configuration[$"{StoreOptions.Section}:Redis"]))
        {
            services.AddSingleton(sp => new InMemorySessionStore(Options(sp), sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<ISessionStore>(sp => sp.GetRequiredService<InMemorySessionStore>());
            services.AddSingleton<IEventLog>(sp => sp.GetRequiredService<InMemorySessionStore>());
        }
        else
        {
            services.AddSingleton<IConnectionMultiplexer>(sp => Connect(Options(sp).Redis!, sp.GetRequiredService<ILoggerFactory>().CreateLogger<RedisSessionStore>()));
            services.AddSingleton(sp =>
                new RedisSessionStore(sp.GetRequiredService<IConnectionMultiplexer>(), Options(sp), sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<ISessionStore>(sp => sp.GetRequiredService<RedisSessionStore>());
            services.AddSingleton<IEventLog>(sp => sp.GetRequiredService<RedisSessionStore>());
        }
        services.AddSingleton(sp => (ISessionListing)sp.GetRequiredService<ISessionStore>());
        services.AddSingleton(sp => (ISessionExpiryIndex)sp.GetRequiredService<ISessionStore>());
        services.AddSingleton(sp => (IQuotaStore)sp.GetRequiredService<ISessionStore>());
        services.AddSingleton(sp => (IStoreLock)sp.GetRequiredService<ISessionStore>());
        return services;
    }

    /// <summary>
    /// One multiplexer for the process (https://stackexchange.github.io/StackExchange.Redis/Basics). It starts
    /// even while Redis is down (<c>AbortOnConnectFail=false</c>): <c>/readyz</c> says so, requests get
    /// <c>store_unavailable</c>, and it reconnects by itself; each lost and restored connection is logged.
    /// </summary>
    private static ConnectionMultiplexer Connect(string configuration, ILogger logger)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        var redis = ConnectionMultiplexer.Connect(options);
        redis.ConnectionFailed += (_, e) => Log.RedisConnectionFailed(logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType, e.FailureType, e.Exception);
        redis.ConnectionRestored += (_, e) => Log.RedisConnectionRestored(logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType);
        return redis;
    }

    private static StoreOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<StoreOptions>>().Value;
}
