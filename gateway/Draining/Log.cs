namespace Gateway.Draining;

/// <summary>Drain log events, ids 8000-8099.</summary>
internal static partial class Log
{
    [LoggerMessage(8000, LogLevel.Information, "Draining: /readyz answers 503, requests are served for {Delay} more")]
    public static partial void Draining(ILogger logger, TimeSpan delay);

    [LoggerMessage(8001, LogLevel.Information, "Waiting up to {Limit} for {Count} requests in flight")]
    public static partial void Waiting(ILogger logger, int count, TimeSpan limit);

    [LoggerMessage(8002, LogLevel.Warning, "Cut {Count} requests still in flight after {Limit}; their clients resend them elsewhere")]
    public static partial void Cut(ILogger logger, int count, TimeSpan limit);

    [LoggerMessage(8003, LogLevel.Information, "Drained: no request in flight")]
    public static partial void Drained(ILogger logger);
}
