using System.Diagnostics;
using System.IO.Hashing;
using System.Text;

namespace Gateway.Sessions;

/// <summary>The lifecycle events (docs/events.md): written by the store in the same step as the status they report.</summary>
internal static class EventTypes
{
    public const string Created = "upload.created";
    public const string Completed = "upload.completed";
    public const string Aborted = "upload.aborted";
    public const string Expired = "upload.expired";
    public const string Failed = "upload.failed";

    public static readonly string[] All = [Created, Completed, Aborted, Expired, Failed];

    /// <summary>The shard a session's keys and events live in: a hash of its id, stable across processes.</summary>
    public static int ShardOf(string uploadId, int shards) =>
        (int)(XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(uploadId)) % (uint)shards);

    /// <summary>The W3C trace context of the operation writing the event, so a delivery can link to the upload's trace.</summary>
    public static string CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id ?? "" : "";
}

/// <summary>
/// One event as the store keeps it: the session as it was right after its transition, so the payload shows that
/// moment whatever happened later.
/// </summary>
/// <param name="EventId">Stable for the event's life (every retry, every replay): the <c>webhook-id</c>.</param>
/// <param name="EntryId">Where it sits in its shard's stream (a Redis stream id); what is acknowledged.</param>
/// <param name="TraceParent">The W3C trace context of the operation that wrote it, or null.</param>
/// <param name="Only">Set on a replayed dead letter: the one endpoint (consumer group) it is for.</param>
internal sealed record StoredEvent(
    string EventId, int Shard, string EntryId, string Type, DateTimeOffset At, UploadSession Session, string? TraceParent, string? Only);

/// <summary>An event an endpoint never accepted, kept until an operator replays it.</summary>
internal sealed record DeadLetter(string Id, StoredEvent Event, string Reason, int Attempts, DateTimeOffset FailedAt);

/// <summary>
/// The event streams, one per shard, each read by one consumer group per webhook endpoint (Redis streams'
/// semantics: https://redis.io/docs/latest/develop/data-types/streams/). Appending is not here: the store's
/// <c>CreateAsync</c> and <c>ApplyAsync</c> do it in the same atomic step as the change they report.
/// </summary>
internal interface IEventLog
{
    int Shards { get; }

    /// <summary>Creates the group (from the start of what the stream holds) unless it exists.</summary>
    Task EnsureGroupAsync(string group, int shard);

    /// <summary>Events no consumer of the group has been given yet, oldest first; they become pending for <paramref name="consumer"/>.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadNewAsync(string group, int shard, string consumer, int max);

    /// <summary>Every event the group was given but did not acknowledge (whichever consumer had it), now <paramref name="consumer"/>'s.</summary>
    Task<IReadOnlyList<StoredEvent>> ClaimPendingAsync(string group, int shard, string consumer);

    Task AckAsync(string group, int shard, string entryId);

    /// <summary>
    /// Drops the entries every one of <paramref name="groups"/> has acknowledged; with no group, those written
    /// before <paramref name="cutoff"/>. Returns how many went.
    /// </summary>
    Task<long> TrimAsync(int shard, IReadOnlyCollection<string> groups, DateTimeOffset cutoff);

    /// <summary>Keeps an event the group gave up on (the caller then acknowledges it).</summary>
    Task AddDeadLetterAsync(string group, StoredEvent stored, string reason, int attempts);

    /// <summary>The group's dead letters, oldest first, after the one with id <paramref name="after"/>.</summary>
    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string group, string? after, int max, CancellationToken cancellationToken);

    Task<long> CountDeadLettersAsync(string group, CancellationToken cancellationToken);

    /// <summary>Puts a dead letter back on its stream for this group only, with its event id; false when there is none.</summary>
    Task<bool> ReplayDeadLetterAsync(string group, string id);

    /// <summary>
    /// Records that <paramref name="consumer"/> reads for <paramref name="group"/> now, and returns how many consumers
    /// of the group were seen within <paramref name="within"/>, it included: the instances sharing the group's shards.
    /// </summary>
    Task<int> AnnounceAsync(string group, string consumer, TimeSpan within);

    /// <summary>Forgets <paramref name="consumer"/> at once (it is shutting down), so the others take its share now.</summary>
    Task LeaveAsync(string group, string consumer);
}
