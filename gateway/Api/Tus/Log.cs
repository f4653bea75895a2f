namespace Gateway.Api.Tus;

/// <summary>tus front log events, ids 1200-1299.</summary>
internal static partial class Log
{
    [LoggerMessage(1201, LogLevel.Warning, "The tus writer lock of {UploadId} was not released; it lapses by itself")]
    public static partial void WriterLockNotReleased(ILogger logger, string uploadId, Exception exception);

    [LoggerMessage(1202, LogLevel.Information, "Swept the tus staging of {UploadId}: the upload has ended")]
    public static partial void StagingSwept(ILogger logger, string uploadId);

    [LoggerMessage(1203, LogLevel.Warning, "Sweeping the tus staging directory failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
