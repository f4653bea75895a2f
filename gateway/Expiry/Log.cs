namespace Gateway.Expiry;

/// <summary>Expiry log events, ids 5000-5099.</summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Information, "Expired {Count} sessions")]
    public static partial void Swept(ILogger logger, int count);

    [LoggerMessage(5001, LogLevel.Warning, "An expiry sweep failed; the next one retries")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
