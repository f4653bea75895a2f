namespace MockSandbox;

/// <summary>
/// Every log line of the mock, source-generated. Event ids by concern: 1–9 storage, 10–19 errors,
/// 100–199 uploads, 200–299 expiry.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Data directory {Path} (deleted at shutdown: {Owned})")]
    public static partial void DataDirectoryReady(ILogger logger, string path, bool owned);

    [LoggerMessage(2, LogLevel.Warning, "Could not delete data directory {Path}")]
    public static partial void DataDirectoryNotDeleted(ILogger logger, string path, Exception exception);

    [LoggerMessage(10, LogLevel.Error, "Unhandled exception answering {Method} {Path}")]
    public static partial void UnhandledException(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(100, LogLevel.Information, "Upload {UploadId} created in {SandboxId} for {TargetPath}: {ContentLength} bytes in {PartCount} parts")]
    public static partial void SessionCreated(ILogger logger, string uploadId, string sandboxId, string targetPath, long contentLength, uint partCount);

    [LoggerMessage(101, LogLevel.Debug, "Upload {UploadId} part {Part} received ({Length} bytes)")]
    public static partial void PartAccepted(ILogger logger, string uploadId, uint part, long length);

    [LoggerMessage(102, LogLevel.Information, "Upload {UploadId} completed at {TargetPath}: {Bytes} bytes in {Files} files")]
    public static partial void SessionCompleted(ILogger logger, string uploadId, string targetPath, long bytes, int files);

    [LoggerMessage(103, LogLevel.Warning, "Upload {UploadId} failed: {Reason}")]
    public static partial void SessionFailed(ILogger logger, string uploadId, string reason);

    [LoggerMessage(104, LogLevel.Warning, "Upload {UploadId} failed, archive refused: {Reason}")]
    public static partial void ArchiveRejected(ILogger logger, string uploadId, string reason);

    [LoggerMessage(105, LogLevel.Information, "Upload {UploadId} aborted")]
    public static partial void SessionAborted(ILogger logger, string uploadId);

    [LoggerMessage(106, LogLevel.Information, "Upload {UploadId} expired")]
    public static partial void SessionExpired(ILogger logger, string uploadId);

    [LoggerMessage(200, LogLevel.Error, "Expiry sweep failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
