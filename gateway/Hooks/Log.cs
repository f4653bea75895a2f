namespace Gateway.Hooks;

/// <summary>Hook log events, ids 7200-7299.</summary>
internal static partial class Log
{
    [LoggerMessage(7200, LogLevel.Information, "The pre-create hook refused upload {UploadId} of tenant {Tenant} with HTTP {Status}")]
    public static partial void HookRefused(ILogger logger, string uploadId, string tenant, int status);

    [LoggerMessage(7201, LogLevel.Warning, "The pre-create hook answered upload {UploadId} with HTTP {Status}; the create is refused (fail closed)")]
    public static partial void HookFailed(ILogger logger, string uploadId, int status);

    [LoggerMessage(7202, LogLevel.Warning, "The pre-create hook did not answer upload {UploadId} within {Timeout}; the create is refused (fail closed)")]
    public static partial void HookTimedOut(ILogger logger, string uploadId, TimeSpan timeout);

    [LoggerMessage(7203, LogLevel.Warning, "The pre-create hook could not be reached for upload {UploadId}; the create is refused (fail closed)")]
    public static partial void HookUnreachable(ILogger logger, string uploadId, Exception exception);
}
