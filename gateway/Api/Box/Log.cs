namespace Gateway.Api.Box;

/// <summary>Box front log events, ids 6100-6199.</summary>
internal static partial class Log
{
    [LoggerMessage(6100, LogLevel.Error, "Unhandled exception on Box route {Method} {Path}")]
    public static partial void UnhandledException(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(6101, LogLevel.Information, "Box request failed: {Status} {Code}: {Message}")]
    public static partial void RequestFailed(ILogger logger, int status, string code, string message);

    [LoggerMessage(6102, LogLevel.Error, "No room left on the gateway's disk for Box route {Method} {Path}: answered 503 unavailable")]
    public static partial void DiskFull(ILogger logger, string method, string path, Exception exception);
}
