using System.Globalization;
using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// The event log on Redis streams: one stream per shard (<see cref="RedisKeys.Events(int)"/>), one consumer group
/// per webhook endpoint on each. The entries are written by <c>create.lua</c> and <c>transition.lua</c>; what is
/// here reads, acknowledges, claims, trims and keeps dead letters.
/// </summary>
internal sealed partial class RedisSessionStore
{
    private const string TypeField = "_type";
    private const string AtField = "_at";
    private const string TraceField = "_tp";
    private const string PartsField = "_parts";
    private const string OnlyField = "_only";
    private const string EventIdField = "_eid";
    private const string IdField = "_id";
    private const string ShardField = "_shard";
    private const string EntryField = "_entry";
    private const string ReasonField = "_reason";
    private const string AttemptsField = "_attempts";
    private const string FailedField = "_failed";

    public int Shards => _keys.Shards;

    public async Task EnsureGroupAsync(string group, int shard)
    {
        try
        {
            await Db.StreamCreateConsumerGroupAsync(_keys.Events(shard), group, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // It exists: another instance (or an earlier run) made it.
        }
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadNewAsync(string group, int shard, string consumer, int max)
    {
        var entries = await Db.StreamReadGroupAsync(_keys.Events(shard), group, consumer, StreamPosition.NewMessages, max);
        return [.. entries.Where(e => !e.IsNull).Select(e => ToEvent(shard, e))];
    }

    public async Task<IReadOnlyList<StoredEvent>> ClaimPendingAsync(string group, int shard, string consumer)
    {
        // The caller holds the shard's lease for this group, so whatever is pending was left by an owner whose
        // lease lapsed (dead, or cut off): take it all, whatever its idle time (XAUTOCLAIM,
        // https://redis.io/docs/latest/commands/xautoclaim/). Entries trimmed meanwhile come back as deleted ids.
        var claimed = new List<StoredEvent>();
        RedisValue start = "0-0";
        do
        {
            var page = await Db.StreamAutoClaimAsync(_keys.Events(shard), group, consumer, 0, start, 100);
            claimed.AddRange(page.ClaimedEntries.Where(e => !e.IsNull).Select(e => ToEvent(shard, e)));
            start = page.NextStartId;
        }
        while (start != "0-0");
        return claimed;
    }

    public Task AckAsync(string group, int shard, string entryId) => Db.StreamAcknowledgeAsync(_keys.Events(shard), group, entryId);

    public async Task<long> TrimAsync(int shard, IReadOnlyCollection<string> groups, DateTimeOffset cutoff)
    {
        var key = _keys.Events(shard);
        string? minId;
        if (groups.Count == 0)
        {
            minId = cutoff.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            if (!await Db.KeyExistsAsync(key))
            {
                return 0;
            }
            var infos = await Db.StreamGroupInfoAsync(key);
            minId = null;
            foreach (var group in groups)
            {
                // A configured endpoint without its group yet (an instance is about to create it from the start):
                // trim nothing, or it would miss what it is entitled to.
                if (infos.FirstOrDefault(i => i.Name == group) is not { Name: not null } info || info.LastDeliveredId is null)
                {
                    return 0;
                }
                var pending = await Db.StreamPendingAsync(key, group);
                var keep = pending.PendingMessageCount > 0 ? (string)pending.LowestPendingMessageId! : info.LastDeliveredId;
                if (minId is null || CompareIds(keep, minId) < 0)
                {
                    minId = keep;
                }
            }
        }
        // MINID drops every entry below the id: those acknowledged by every group (https://redis.io/docs/latest/commands/xtrim/).
        return (long)await Db.ExecuteAsync("XTRIM", key, "MINID", minId!);
    }

    public async Task AddDeadLetterAsync(string group, StoredEvent stored, string reason, int attempts)
    {
        var original = await Db.StreamRangeAsync(_keys.Events(stored.Shard), stored.EntryId, stored.EntryId, 1);
        var fields = original.Length == 0 ? [] : original[0].Values.Where(v => v.Name != EventIdField).ToList();
        fields.Add(new(EventIdField, stored.EventId));
        fields.Add(new(ShardField, stored.Shard));
        fields.Add(new(EntryField, stored.EntryId));
        fields.Add(new(ReasonField, reason));
        fields.Add(new(AttemptsField, attempts));
        fields.Add(new(FailedField, NowMs));
        RedisValue[] args = [_options.DeadLetterMaxCount, OldestDeadLetterKept, NowMs, .. fields.SelectMany(f => new[] { f.Name, f.Value })];
        await RedisScripts.DeadLetter.EvaluateAsync(Db, [_keys.DeadLetters(group)], args);
    }

    /// <summary>The id below which dead letters are past <see cref="StoreOptions.DeadLetterMaxAge"/> (stream ids start with their unix ms).</summary>
    private string OldestDeadLetterKept =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, NowMs - (long)_options.DeadLetterMaxAge.TotalMilliseconds)}-0");

    /// <summary>Drops the dead letters past their age before they are read: with no new one to trim them, they still go.</summary>
    private Task TrimDeadLettersByAgeAsync(RedisKey key) => Db.ExecuteAsync("XTRIM", key, "MINID", OldestDeadLetterKept);

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string group, string? after, int max, CancellationToken cancellationToken)
    {
        await TrimDeadLettersByAgeAsync(_keys.DeadLetters(group)).WaitAsync(cancellationToken);
        var entries = await Db.StreamRangeAsync(_keys.DeadLetters(group), after is null ? "-" : "(" + after, "+", max).WaitAsync(cancellationToken);
        return [.. entries.Select(e =>
        {
            var fields = Fields(e);
            var shard = int.Parse(fields[ShardField], CultureInfo.InvariantCulture);
            return new DeadLetter(
                e.Id!,
                ToEvent(shard, fields[EntryField], fields),
                fields[ReasonField],
                int.Parse(fields[AttemptsField], CultureInfo.InvariantCulture),
                DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(fields[FailedField], CultureInfo.InvariantCulture)));
        })];
    }

    public async Task<long> CountDeadLettersAsync(string group, CancellationToken cancellationToken)
    {
        await TrimDeadLettersByAgeAsync(_keys.DeadLetters(group)).WaitAsync(cancellationToken);
        return await Db.StreamLengthAsync(_keys.DeadLetters(group)).WaitAsync(cancellationToken);
    }

    public async Task<bool> ReplayDeadLetterAsync(string group, string id)
    {
        var key = _keys.DeadLetters(group);
        var found = await Db.StreamRangeAsync(key, id, id, 1);
        if (found.Length == 0)
        {
            return false;
        }
        string[] dead = [ShardField, EntryField, ReasonField, AttemptsField, FailedField, OnlyField];
        var fields = found[0].Values.Where(v => !dead.Contains((string)v.Name!)).Append(new(OnlyField, group)).ToArray();
        var shard = int.Parse((string)found[0][ShardField]!, CultureInfo.InvariantCulture);
        // Two keys in two slots, so two steps: a crash in between replays it twice at worst (at least once).
        await Db.StreamAddAsync(_keys.Events(shard), fields);
        await Db.StreamDeleteAsync(key, [id]);
        return true;
    }

    public async Task<int> AnnounceAsync(string group, string consumer, TimeSpan within) =>
        (int)(long)await RedisScripts.Announce.EvaluateAsync(Db, [_keys.Members(group)], [consumer, NowMs, (long)within.TotalMilliseconds]);

    public Task LeaveAsync(string group, string consumer) => Db.SortedSetRemoveAsync(_keys.Members(group), consumer);

    private static StoredEvent ToEvent(int shard, StreamEntry entry) => ToEvent(shard, entry.Id!, Fields(entry));

    private static StoredEvent ToEvent(int shard, string entryId, Dictionary<string, string> fields)
    {
        var received = fields[PartsField].Length == 0
            ? []
            : fields[PartsField].Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToArray();
        var session = SessionHash.Read(fields[IdField], fields) with { ReceivedParts = received };
        return new StoredEvent(
            fields.TryGetValue(EventIdField, out var eventId) ? eventId : $"evt_{shard}_{entryId}",
            shard,
            entryId,
            fields[TypeField],
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(fields[AtField], CultureInfo.InvariantCulture)),
            session,
            fields[TraceField].Length == 0 ? null : fields[TraceField],
            fields.TryGetValue(OnlyField, out var only) ? only : null);
    }

    private static Dictionary<string, string> Fields(StreamEntry entry)
    {
        var fields = new Dictionary<string, string>(entry.Values.Length, StringComparer.Ordinal);
        foreach (var value in entry.Values)
        {
            fields[(string)value.Name!] = (string)value.Value!;
        }
        return fields;
    }

    /// <summary>Stream ids are "ms-seq": compared as two numbers, not as text.</summary>
    private static int CompareIds(string a, string b)
    {
        static (long, long) Parse(string id)
        {
            var dash = id.IndexOf('-', StringComparison.Ordinal);
            return dash < 0
                ? (long.Parse(id, CultureInfo.InvariantCulture), 0)
                : (long.Parse(id.AsSpan(0, dash), CultureInfo.InvariantCulture), long.Parse(id.AsSpan(dash + 1), CultureInfo.InvariantCulture));
        }
        return Parse(a).CompareTo(Parse(b));
    }
}
