using System.ComponentModel.DataAnnotations;

namespace Gateway.Sessions;

/// <summary><c>Gateway:Store</c> and <c>Gateway:Sessions</c>: where state lives and how long it is kept.</summary>
internal sealed class StoreOptions
{
    public const string Section = "Gateway:Store";

    /// <summary>A StackExchange.Redis configuration string. Absent: the embedded in-memory store (one instance only).</summary>
    public string? Redis { get; set; }

    /// <summary>
    /// How long a Redis command may take, the wait behind the commands queued before it included, before the request
    /// answers 503 <c>store_unavailable</c> with <c>Retry-After</c>. It is StackExchange.Redis's <c>asyncTimeout</c>
    /// and <c>syncTimeout</c> (5 s by default there), and wins over either in <see cref="Redis"/>: a burst of
    /// thousands of creates on a busy machine queues its commands for seconds while Redis itself is idle
    /// (docs/BENCHMARKS.md, "Scale"), and a request that waits is better served than one that fails.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Prefix of every Redis key the gateway writes, so one Redis can serve several deployments.</summary>
    [RegularExpression(@"^[A-Za-z0-9_.-]{1,32}$")]
    public string KeyPrefix { get; set; } = "upl";

    /// <summary>How long a part's lease lasts without renewal; a crashed instance blocks a part at most this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an ended or expired session stays readable (status, parts) before the store forgets it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How many event streams the lifecycle events are spread over (docs/events.md). A session's keys share its
    /// shard's hash tag with that shard's stream, so the script that changes its status writes the event too, on
    /// one Redis Cluster slot. Fixed for the life of a deployment: the shard is part of every session's key names.
    /// </summary>
    [Range(1, 1024)]
    public int EventShards { get; set; } = 16;

    /// <summary>
    /// Dead letters kept per webhook endpoint at most: the oldest go first (<c>XTRIM MAXLEN</c>), so a receiver
    /// that refuses everything for weeks costs a bounded amount of Redis.
    /// </summary>
    [Range(1, 10_000_000)]
    public int DeadLetterMaxCount { get; set; } = 10_000;

    /// <summary>How long a dead letter is kept for an operator to look at and replay (<c>XTRIM MINID</c>).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan DeadLetterMaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Whether the scripts write the lifecycle events: set by Events (<c>AddEvents</c>) to whether any webhook
    /// endpoint is configured. Without one nobody reads them, and each would hold a copy of its session in Redis
    /// until trimmed (docs/BENCHMARKS.md, "Redis footprint").
    /// </summary>
    public bool WriteEvents { get; set; } = true;
}
