namespace Gateway.Telemetry;

/// <summary>Telemetry log events, ids 6000-6099.</summary>
internal static partial class Log
{
    [LoggerMessage(6000, LogLevel.Debug, "The health probe could not reach {Target}")]
    public static partial void ProbeFailed(ILogger logger, string target, Exception exception);
}
