using StackExchange.Redis;

namespace Gateway.Sessions;

/// <summary>Session store log events, ids 2100-2199.</summary>
internal static partial class Log
{
    [LoggerMessage(2100, LogLevel.Warning, "Lost the {ConnectionType} connection to Redis at {EndPoint} ({FailureType}); reconnecting")]
    public static partial void RedisConnectionFailed(ILogger logger, string endPoint, ConnectionType connectionType, ConnectionFailureType failureType, Exception? exception);

    [LoggerMessage(2101, LogLevel.Information, "Restored the {ConnectionType} connection to Redis at {EndPoint}")]
    public static partial void RedisConnectionRestored(ILogger logger, string endPoint, ConnectionType connectionType);
}
