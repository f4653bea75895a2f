namespace Gateway.Rechunking;

/// <summary>Re-chunker log events, ids 1300-1399.</summary>
internal static partial class Log
{
    [LoggerMessage(1301, LogLevel.Warning, "The writer lock of {UploadId} was not released; it lapses by itself")]
    public static partial void WriterLockNotReleased(ILogger logger, string uploadId, Exception exception);

    [LoggerMessage(1302, LogLevel.Information, "Swept the staging of {UploadId}: the upload has ended")]
    public static partial void StagingSwept(ILogger logger, string uploadId);

    [LoggerMessage(1303, LogLevel.Warning, "Sweeping the staging directory failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(1304, LogLevel.Warning, "Finishing the commit of {UploadId}, left completing, failed; the next sweep tries again")]
    public static partial void LeftCommitFailed(ILogger logger, string uploadId, Exception exception);

    [LoggerMessage(1305, LogLevel.Warning, "Another writer took the writer lock of {UploadId} while this one wrote (it lapsed while the store was away); the write was stopped")]
    public static partial void WriterLockLost(ILogger logger, string uploadId, Exception exception);
}
