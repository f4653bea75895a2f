namespace MockBox;

/// <summary>
/// Every log line of the mock, through the <c>[LoggerMessage]</c> source generator. Event ids are
/// reserved per folder: 1xx Configuration, 2xx Auth, 3xx Sessions, 5xx Testing. (Unhandled exceptions are
/// logged by ASP.NET Core's exception handler before Errors/ answers them with the envelope.)
/// </summary>
internal static partial class Log
{
    // Configuration
    [LoggerMessage(100, LogLevel.Information, "Data directory {Path} (deleted on shutdown: {Owned})")]
    public static partial void DataDirectoryReady(ILogger logger, string path, bool owned);

    [LoggerMessage(101, LogLevel.Debug, "Deleted data directory {Path}")]
    public static partial void DataDirectoryDeleted(ILogger logger, string path);

    [LoggerMessage(102, LogLevel.Warning, "Could not delete data directory {Path}")]
    public static partial void DataDirectoryNotDeleted(ILogger logger, string path, Exception exception);

    // Auth
    [LoggerMessage(200, LogLevel.Information, "401 for {Method} {Path}: {Reason} bearer token")]
    public static partial void TokenRejected(ILogger logger, string reason, string method, string path);

    // Sessions
    [LoggerMessage(300, LogLevel.Information, "Session {SessionId} created for {Target}: {FileSize} bytes in {TotalParts} parts of {PartSize}")]
    public static partial void SessionCreated(ILogger logger, string sessionId, string target, long fileSize, long partSize, int totalParts);

    [LoggerMessage(301, LogLevel.Debug, "Session {SessionId}: part {PartId} stored at {Offset} ({Size} bytes)")]
    public static partial void PartStored(ILogger logger, string sessionId, string partId, long offset, long size);

    [LoggerMessage(302, LogLevel.Information, "Session {SessionId}: byte-identical resend of part {PartId} at {Offset}, answered with the stored part")]
    public static partial void PartResent(ILogger logger, string sessionId, string partId, long offset);

    [LoggerMessage(303, LogLevel.Information, "Session {SessionId}: part {ContentRange} refused ({Reason})")]
    public static partial void PartRefused(ILogger logger, string sessionId, string contentRange, string reason);

    [LoggerMessage(304, LogLevel.Information, "Session {SessionId}: commit answered 202 Accepted")]
    public static partial void CommitAccepted(ILogger logger, string sessionId);

    [LoggerMessage(305, LogLevel.Information, "Session {SessionId} committed: file {FileId} version {VersionId}, {Size} bytes")]
    public static partial void SessionCommitted(ILogger logger, string sessionId, string fileId, string versionId, long size);

    [LoggerMessage(306, LogLevel.Information, "Session {SessionId}: commit refused ({Code})")]
    public static partial void CommitRefused(ILogger logger, string sessionId, string code);

    [LoggerMessage(307, LogLevel.Information, "Session {SessionId} aborted; its bytes are deleted")]
    public static partial void SessionAborted(ILogger logger, string sessionId);

    [LoggerMessage(308, LogLevel.Information, "Session {SessionId} expired; its bytes are deleted")]
    public static partial void SessionExpired(ILogger logger, string sessionId);

    [LoggerMessage(309, LogLevel.Debug, "Session {SessionId}: log event received")]
    public static partial void LogEventReceived(ILogger logger, string sessionId);

    [LoggerMessage(310, LogLevel.Information, "Session {SessionId}: client went away while sending part {ContentRange}; {TemporaryPath} deleted")]
    public static partial void PartAbandoned(ILogger logger, string sessionId, string contentRange, string temporaryPath);

    [LoggerMessage(311, LogLevel.Debug, "Session {SessionId}: receiving part {ContentRange} into {TemporaryPath}")]
    public static partial void PartReceiving(ILogger logger, string sessionId, string contentRange, string temporaryPath);

    [LoggerMessage(312, LogLevel.Information, "Session {SessionId}: body of part {ContentRange} broke off ({Reason}); {TemporaryPath} deleted")]
    public static partial void PartBodyBroken(ILogger logger, string sessionId, string contentRange, string reason, string temporaryPath);

    // Testing
    [LoggerMessage(500, LogLevel.Information, "Mock reset: sessions, files, folders and settings cleared")]
    public static partial void MockReset(ILogger logger);

    [LoggerMessage(501, LogLevel.Information, "Mock settings: part size {PartSize}, minimum file size {MinFileSize}, session TTL {SessionTtl}, 202s per commit {CommitAcceptedResponses}")]
    public static partial void SettingsChanged(ILogger logger, long partSize, long minFileSize, TimeSpan sessionTtl, int commitAcceptedResponses);
}
