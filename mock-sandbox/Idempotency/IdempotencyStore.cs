using System.Collections.Concurrent;
using System.Text.Json;
using MockSandbox.Errors;
using MockSandbox.Http;

namespace MockSandbox.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on create and complete [doc]: the same key with the same body replays the first
/// response; with a different body it is <c>409 conflict</c> [ours]. Only successes are kept: a request
/// that failed (say <c>429 quota_exceeded</c>) runs again when retried, or a retryable error would stick
/// to its key forever. Requests sharing a key run one at a time, so a retry racing its original waits for
/// it and replays its answer instead of creating a second session.
/// </summary>
internal sealed class IdempotencyStore
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public IdempotencyStore(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    public async Task<T> ExecuteAsync<T>(string scope, string key, JsonElement request, Func<Task<T>> operation, CancellationToken cancellationToken)
        where T : class
    {
        var entry = _entries.GetOrAdd(scope + "\n" + key, _ => new Entry());
        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            if (entry.Response is not null)
            {
                if (!JsonElement.DeepEquals(entry.Request, request))
                {
                    throw SandboxError.Conflict(
                        $"{SandboxHeaders.IdempotencyKey} '{key}' was already used with a different body.",
                        new System.Text.Json.Nodes.JsonObject { ["reason"] = "idempotency_key_reused" }).AsException();
                }
                return (T)entry.Response;
            }
            var response = await operation();
            entry.Request = request.Clone();
            entry.Response = response;
            entry.StoredAt = _time.GetUtcNow();
            return response;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Forgets answers stored before <paramref name="cutoff"/>, so a long-running mock does not grow without bound.</summary>
    public int Prune(DateTimeOffset cutoff)
    {
        var pruned = 0;
        foreach (var (key, entry) in _entries)
        {
            if (entry.Response is not null && entry.StoredAt < cutoff && _entries.TryRemove(key, out _))
            {
                pruned++;
            }
        }
        return pruned;
    }

    public void Clear() => _entries.Clear();

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public JsonElement Request { get; set; }

        public object? Response { get; set; }

        public DateTimeOffset StoredAt { get; set; }
    }
}
