namespace Gateway.Forwarding;

/// <summary>Forwarding log events, ids 3000-3099.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Warning, "Could not release the lease on part {PartNumber} of upload {UploadId}; it will lapse")]
    public static partial void LeaseNotReleased(ILogger logger, string uploadId, int partNumber, Exception exception);
}
