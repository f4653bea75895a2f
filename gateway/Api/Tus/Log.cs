namespace Gateway.Api.Tus;

/// <summary>tus front log events, ids 1200-1299 (1201 and 1203, the writer lock and the sweep, are the re-chunker's 1301 and 1303 now).</summary>
internal static partial class Log
{
    [LoggerMessage(1202, LogLevel.Information, "Swept the tus partial upload {UploadId}: it expired unused")]
    public static partial void PartialSwept(ILogger logger, string uploadId);
}
