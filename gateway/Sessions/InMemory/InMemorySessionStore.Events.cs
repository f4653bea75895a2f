namespace Gateway.Sessions.InMemory;

/// <summary>
/// The event log of the embedded store, with the semantics of the Redis streams it stands in for: one stream per
/// shard, one group per endpoint with its last delivered entry and its pending entries, appended to under the
/// store's lock in the same step as the transition. One instance only, so a consumer is always this process.
/// </summary>
internal sealed partial class InMemorySessionStore
{
    private List<StoredEvent>[]? _streams;
    private readonly Dictionary<(string Group, int Shard), Group> _groups = [];
    private readonly Dictionary<string, List<DeadLetter>> _deadLetters = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Group, string Consumer), DateTimeOffset> _members = [];
    private long _lastMs;
    private long _sequence;

    public int Shards => _options.EventShards;

    private List<StoredEvent>[] Streams => _streams ??= [.. Enumerable.Range(0, _options.EventShards).Select(_ => new List<StoredEvent>())];

    /// <summary>Called under <see cref="_lock"/>, as the Lua scripts call <c>append_event</c>.</summary>
    private void AppendEvent(string type, Entry entry, string? eventId = null, string? only = null)
    {
        var session = Snapshot(entry) with { PartsInFlight = 0 };
        var shard = EventTypes.ShardOf(session.Id, Shards);
        var id = NextEntryId();
        Streams[shard].Add(new StoredEvent(eventId ?? $"evt_{shard}_{id}", shard, id, type, Now, session, NullIfEmpty(EventTypes.CurrentTraceParent()), only));
    }

    public Task<int> AnnounceAsync(string group, string consumer, TimeSpan within)
    {
        lock (_lock)
        {
            _members[(group, consumer)] = Now;
            foreach (var gone in _members.Where(m => m.Value < Now - within).Select(m => m.Key).ToList())
            {
                _members.Remove(gone);
            }
            return Task.FromResult(_members.Keys.Count(m => m.Group == group));
        }
    }

    public Task LeaveAsync(string group, string consumer)
    {
        lock (_lock)
        {
            _members.Remove((group, consumer));
        }
        return Task.CompletedTask;
    }

    public Task EnsureGroupAsync(string group, int shard)
    {
        lock (_lock)
        {
            _groups.TryAdd((group, shard), new Group());
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StoredEvent>> ReadNewAsync(string group, int shard, string consumer, int max)
    {
        lock (_lock)
        {
            var state = _groups[(group, shard)];
            IReadOnlyList<StoredEvent> fresh = [.. Streams[shard].Where(e => Compare(e.EntryId, state.LastDelivered) > 0).Take(max)];
            foreach (var e in fresh)
            {
                state.Pending.Add(e.EntryId);
            }
            if (fresh.Count > 0)
            {
                state.LastDelivered = fresh[^1].EntryId;
            }
            return Task.FromResult(fresh);
        }
    }

    public Task<IReadOnlyList<StoredEvent>> ClaimPendingAsync(string group, int shard, string consumer)
    {
        lock (_lock)
        {
            var state = _groups[(group, shard)];
            IReadOnlyList<StoredEvent> pending = [.. Streams[shard].Where(e => state.Pending.Contains(e.EntryId))];
            return Task.FromResult(pending);
        }
    }

    public Task AckAsync(string group, int shard, string entryId)
    {
        lock (_lock)
        {
            _groups[(group, shard)].Pending.Remove(entryId);
        }
        return Task.CompletedTask;
    }

    public Task<long> TrimAsync(int shard, IReadOnlyCollection<string> groups, DateTimeOffset cutoff)
    {
        lock (_lock)
        {
            var stream = Streams[shard];
            Func<StoredEvent, bool> done;
            if (groups.Count == 0)
            {
                done = e => e.At < cutoff;
            }
            else
            {
                var states = groups.Select(g => _groups.GetValueOrDefault((g, shard))).ToList();
                if (states.Any(s => s is null))
                {
                    return Task.FromResult(0L);
                }
                done = e => states.All(s => Compare(e.EntryId, s!.LastDelivered) <= 0 && !s.Pending.Contains(e.EntryId));
            }
            // Like XTRIM MINID: from the oldest entry up to the first one still needed.
            var count = stream.TakeWhile(done).Count();
            stream.RemoveRange(0, count);
            return Task.FromResult((long)count);
        }
    }

    public Task AddDeadLetterAsync(string group, StoredEvent stored, string reason, int attempts)
    {
        lock (_lock)
        {
            if (!_deadLetters.TryGetValue(group, out var letters))
            {
                _deadLetters[group] = letters = [];
            }
            letters.Add(new DeadLetter(NextEntryId(), stored, reason, attempts, Now));
            // The Redis store's rule (dead_letter.lua): the newest DeadLetterMaxCount, none past DeadLetterMaxAge.
            letters.RemoveRange(0, Math.Max(0, letters.Count - _options.DeadLetterMaxCount));
            TrimDeadLettersByAge(letters);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string group, string? after, int max, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            TrimDeadLettersByAge(_deadLetters.GetValueOrDefault(group, []));
            IReadOnlyList<DeadLetter> page = [.. _deadLetters.GetValueOrDefault(group, [])
                .Where(d => after is null || Compare(d.Id, after) > 0).Take(max)];
            return Task.FromResult(page);
        }
    }

    public Task<long> CountDeadLettersAsync(string group, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            TrimDeadLettersByAge(_deadLetters.GetValueOrDefault(group, []));
            return Task.FromResult((long)_deadLetters.GetValueOrDefault(group, []).Count);
        }
    }

    /// <summary>Like <c>XTRIM MINID</c>: the letters older than <see cref="StoreOptions.DeadLetterMaxAge"/> go, oldest first.</summary>
    private void TrimDeadLettersByAge(List<DeadLetter> letters)
    {
        var oldest = Now - _options.DeadLetterMaxAge;
        letters.RemoveRange(0, letters.TakeWhile(d => d.FailedAt < oldest).Count());
    }

    public Task<bool> ReplayDeadLetterAsync(string group, string id)
    {
        lock (_lock)
        {
            if (_deadLetters.GetValueOrDefault(group, []) is not { } letters || letters.FindIndex(d => d.Id == id) is var i && i < 0)
            {
                return Task.FromResult(false);
            }
            var stored = letters[i].Event;
            letters.RemoveAt(i);
            Streams[stored.Shard].Add(stored with { EntryId = NextEntryId(), Only = group });
            return Task.FromResult(true);
        }
    }

    /// <summary>"ms-seq", increasing, as Redis makes stream ids.</summary>
    private string NextEntryId()
    {
        var ms = Math.Max(_lastMs, Now.ToUnixTimeMilliseconds());
        _sequence = ms == _lastMs ? _sequence + 1 : 0;
        _lastMs = ms;
        return $"{ms}-{_sequence}";
    }

    private static int Compare(string a, string b)
    {
        static (long, long) Parse(string id)
        {
            var dash = id.IndexOf('-', StringComparison.Ordinal);
            return (long.Parse(id.AsSpan(0, dash), System.Globalization.CultureInfo.InvariantCulture),
                long.Parse(id.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture));
        }
        return Parse(a).CompareTo(Parse(b));
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private sealed class Group
    {
        public string LastDelivered { get; set; } = "0-0";

        public HashSet<string> Pending { get; } = new(StringComparer.Ordinal);
    }
}
