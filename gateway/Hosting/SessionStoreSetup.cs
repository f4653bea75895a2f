using Gateway.Sessions;
using Gateway.Sessions.InMemory;
using Gateway.Sessions.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Hosting;

/// <summary>
/// The session store's wiring. It lives here, where the wiring may use every folder, because it chooses between
/// <c>Sessions/Redis</c> and <c>Sessions/InMemory</c>, which both build on <c>Sessions</c>: in <c>Sessions</c> it
/// would make parent and child import each other.
/// </summary>
internal static class SessionStoreSetup
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
            services.AddSingleton<IConnectionMultiplexer>(sp => RedisConnection.Connect(Options(sp), sp.GetRequiredService<ILoggerFactory>().CreateLogger<RedisSessionStore>()));
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

    private static StoreOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<StoreOptions>>().Value;
}
