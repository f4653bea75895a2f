namespace Gateway.Uploads;

/// <summary>Upload lifecycle log events, ids 2000-2099.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Created upload {UploadId} on backend {Backend} ({ContentLength} bytes, {PartCount} parts)")]
    public static partial void UploadCreated(ILogger logger, string uploadId, string backend, long contentLength, int partCount);

    [LoggerMessage(2001, LogLevel.Information, "Upload {UploadId} is {Status}")]
    public static partial void UploadEnded(ILogger logger, string uploadId, string status);

    [LoggerMessage(2002, LogLevel.Warning, "Could not abort the backend session of upload {UploadId}; it will expire at the backend")]
    public static partial void OrphanedBackendSession(ILogger logger, string uploadId, Exception exception);

    [LoggerMessage(2003, LogLevel.Warning, "The commit of upload {UploadId} failed after its request was answered; the session's status says how it ended")]
    public static partial void CommitFailedInBackground(ILogger logger, string uploadId, Exception exception);

    [LoggerMessage(2004, LogLevel.Warning, "Could not release the commit lock of upload {UploadId}; it lapses by itself")]
    public static partial void CommitLockNotReleased(ILogger logger, string uploadId, Exception exception);

    [LoggerMessage(2005, LogLevel.Information, "Waiting for {Count} running commits before stopping")]
    public static partial void WaitingForCommits(ILogger logger, int count);

    [LoggerMessage(2006, LogLevel.Warning, "The commit of upload {UploadId} met a passing failure; it is tried again in {Backoff}")]
    public static partial void CommitRetrying(ILogger logger, string uploadId, TimeSpan backoff, Exception exception);

    [LoggerMessage(2007, LogLevel.Warning, "Another instance took the commit lock of upload {UploadId} while this one committed (it lapsed while the store was away); this attempt was stopped")]
    public static partial void CommitLockLost(ILogger logger, string uploadId, Exception exception);
}
