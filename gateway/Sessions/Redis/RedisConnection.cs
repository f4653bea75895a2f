using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

internal static class RedisConnection
{
    /// <summary>
    /// One multiplexer for the process (https://stackexchange.github.io/StackExchange.Redis/Basics). It starts
    /// even while Redis is down (<c>AbortOnConnectFail=false</c>): <c>/readyz</c> says so, requests get
    /// <c>store_unavailable</c>, and it reconnects by itself; each lost and restored connection is logged.
    /// </summary>
    /// <remarks>The command timeout is <see cref="StoreOptions.CommandTimeout"/>'s.</remarks>
    public static ConnectionMultiplexer Connect(StoreOptions store, ILogger logger)
    {
        var options = ConfigurationOptions.Parse(store.Redis!);
        options.AbortOnConnectFail = false;
        options.AsyncTimeout = options.SyncTimeout = (int)store.CommandTimeout.TotalMilliseconds;
        var redis = ConnectionMultiplexer.Connect(options);
        redis.ConnectionFailed += (_, e) => Log.RedisConnectionFailed(logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType, e.FailureType, e.Exception);
        redis.ConnectionRestored += (_, e) => Log.RedisConnectionRestored(logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType);
        return redis;
    }
}
