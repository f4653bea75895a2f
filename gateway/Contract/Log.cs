namespace Gateway.Contract;

/// <summary>Contract log events, ids 1000-1099.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Debug, "The client went away during {Method} {Path}")]
    public static partial void ClientWentAway(ILogger logger, string method, PathString path);

    [LoggerMessage(1001, LogLevel.Information, "Request failed with {Code}: {Detail}")]
    public static partial void RequestFailed(ILogger logger, string code, string detail);

    [LoggerMessage(1002, LogLevel.Error, "Unhandled exception in {Method} {Path}")]
    public static partial void UnhandledException(ILogger logger, string method, PathString path, Exception exception);

    [LoggerMessage(1003, LogLevel.Information, "Created upload {UploadId} on backend {Backend} ({ContentLength} bytes, {PartCount} parts)")]
    public static partial void UploadCreated(ILogger logger, string uploadId, string backend, long contentLength, int partCount);

    [LoggerMessage(1004, LogLevel.Information, "Upload {UploadId} is {Status}")]
    public static partial void UploadEnded(ILogger logger, string uploadId, string status);

    [LoggerMessage(1005, LogLevel.Warning, "Could not abort the backend session of upload {UploadId} after a failed create")]
    public static partial void OrphanedBackendSession(ILogger logger, string uploadId, Exception exception);
}
