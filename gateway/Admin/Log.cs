namespace Gateway.Admin;

/// <summary>Admin log events, ids 7100-7199.</summary>
internal static partial class Log
{
    [LoggerMessage(7100, LogLevel.Information, "Dead letter {DeadLetterId} of webhook endpoint {Endpoint} replayed by an operator")]
    public static partial void DeadLetterReplayed(ILogger logger, string deadLetterId, string endpoint);
}
