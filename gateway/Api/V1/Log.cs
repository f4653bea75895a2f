namespace Gateway.Api.V1;

/// <summary>v1 front log events, ids 1000-1099.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Request failed with {Code}: {Detail}")]
    public static partial void RequestFailed(ILogger logger, string code, string detail);

    [LoggerMessage(1002, LogLevel.Error, "Unhandled exception in {Method} {Path}")]
    public static partial void UnhandledException(ILogger logger, string method, PathString path, Exception exception);

    [LoggerMessage(1003, LogLevel.Error, "No room left on the gateway's disk for {Method} {Path}: answered 503 storage_full")]
    public static partial void DiskFull(ILogger logger, string method, PathString path, Exception exception);
}
