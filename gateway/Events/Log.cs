namespace Gateway.Events;

/// <summary>Event delivery log events, ids 7000-7099.</summary>
internal static partial class Log
{
    [LoggerMessage(7000, LogLevel.Information, "Delivering {Endpoint} events of shard {Shard} from this instance; {Claimed} taken over")]
    public static partial void ShardOwned(ILogger logger, string endpoint, int shard, int claimed);

    [LoggerMessage(7001, LogLevel.Information, "No longer delivering {Endpoint} events of shard {Shard}: the lease went to another instance")]
    public static partial void ShardLost(ILogger logger, string endpoint, int shard);

    [LoggerMessage(7002, LogLevel.Debug, "Event {EventId} ({EventType}) to {Endpoint} failed ({Outcome}), attempt {Attempt}; next at {NextAttempt:o}")]
    public static partial void AttemptFailed(ILogger logger, string eventId, string eventType, string endpoint, string outcome, int attempt, DateTimeOffset nextAttempt);

    [LoggerMessage(7003, LogLevel.Error, "Gave up on event {EventId} ({EventType}, upload {UploadId}) to {Endpoint} after {Attempts} attempts ({Outcome}); kept as a dead letter")]
    public static partial void DeadLettered(ILogger logger, string eventId, string eventType, string uploadId, string endpoint, int attempts, string outcome);

    [LoggerMessage(7004, LogLevel.Warning, "Event delivery to {Endpoint} (shard {Shard}) hit a store error; trying again")]
    public static partial void StoreFailed(ILogger logger, string endpoint, int shard, Exception exception);

    [LoggerMessage(7005, LogLevel.Information, "Trimmed {Count} delivered events from shard {Shard}")]
    public static partial void Trimmed(ILogger logger, long count, int shard);

    [LoggerMessage(7006, LogLevel.Warning, "Trimming the event streams failed; trying again later")]
    public static partial void TrimFailed(ILogger logger, Exception exception);

    [LoggerMessage(7007, LogLevel.Information, "Handing {Endpoint} events of shard {Shard} over to another instance: this one owns more than its share of {Share}")]
    public static partial void ShardGivenUp(ILogger logger, string endpoint, int shard, int share);

    [LoggerMessage(7008, LogLevel.Warning, "Announcing this instance as a deliverer of {Endpoint} events failed; trying again")]
    public static partial void AnnounceFailed(ILogger logger, string endpoint, Exception exception);

}
