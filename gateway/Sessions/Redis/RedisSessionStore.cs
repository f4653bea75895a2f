using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// The production store: every session in Redis, shared by any number of gateway instances. Each operation on
/// a session is one Lua script over that session's keys (<see cref="RedisKeys"/>), so it is atomic and one
/// round trip. Written against the API StackExchange.Redis 1.2.6 and 2.x share.
/// </summary>
internal sealed class RedisSessionStore : ISessionStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly StoreOptions _options;
    private readonly TimeProvider _time;

    public RedisSessionStore(IConnectionMultiplexer redis, StoreOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _redis = redis;
        _options = options;
        _time = time;
        _keys = new RedisKeys(options.KeyPrefix);
    }

    private IDatabase Db => _redis.GetDatabase();

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task CreateAsync(UploadSession session, CancellationToken cancellationToken)
    {
        var keepUntil = (session.ExpiresAt + _options.Retention).ToUnixTimeMilliseconds();
        RedisValue[] args =
        [
            keepUntil,
            "doc", JsonSerializer.Serialize(session, SessionJsonContext.Default.UploadSession),
            "tenant", session.Tenant,
            "status", session.Status,
            "exp", session.ExpiresAt.ToUnixTimeMilliseconds(),
            "size", session.ContentLength,
            "psize", session.PartSize,
            "pcount", session.PartCount,
            "maxc", session.MaxConcurrency,
            "acc", 0,
            "recv", 0,
            "upd", session.UpdatedAt.ToUnixTimeMilliseconds(),
            "kexp", keepUntil,
        ];
        var created = (long)await Db.ScriptEvaluateAsync(RedisScripts.Create, [_keys.Session(session.Id)], args);
        if (created != 1)
        {
            throw new InvalidOperationException($"Upload id {session.Id} is already taken.");
        }
        // The indexes live under other hash tags, so they cannot join the script; they are written right after.
        // A crash in between leaves a session that is unlisted but still expires with its keys.
        await Task.WhenAll(
            Db.SortedSetAddAsync(_keys.TenantIndex(session.Tenant), session.Id, session.CreatedAt.ToUnixTimeMilliseconds()),
            Db.SortedSetAddAsync(_keys.ExpiryIndex, session.Id, session.ExpiresAt.ToUnixTimeMilliseconds()));
    }

    public async Task<UploadSession?> GetAsync(string id, string? tenant, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisScripts.Get, _keys.SessionKeys(id), [NowMs]))!;
        if (result.Length == 0)
        {
            return null;
        }
        var fields = ToDictionary((RedisResult[])result[0]!);
        if (tenant is not null && fields["tenant"] != tenant)
        {
            return null;
        }
        var received = ((RedisResult[])result[1]!).Select(r => int.Parse((string)r!, CultureInfo.InvariantCulture)).Order().ToArray();
        return FromFields(fields) with { ReceivedParts = received, PartsInFlight = (int)(long)result[2] };
    }

    public async Task<PartBegin> BeginPartAsync(PartLease lease, long? declaredSize, CancellationToken cancellationToken)
    {
        RedisValue[] args = [lease.Tenant, lease.PartNumber, declaredSize ?? -1, NowMs, (long)_options.LeaseTtl.TotalMilliseconds, lease.Token];
        var r = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisScripts.BeginPart, _keys.SessionKeys(lease.UploadId), args))!;
        return (long)r[0] switch
        {
            0 => new PartBegin(PartBeginOutcome.Started, Deserialize((string)r[2]!), (long)r[1]),
            1 => new PartBegin(PartBeginOutcome.AlreadyReceived, Deserialize((string)r[2]!), (long)r[1],
                PartRecordFormat.Decode(lease.PartNumber, (string)r[3]!)),
            -1 => new PartBegin(PartBeginOutcome.NotFound),
            -2 => new PartBegin(PartBeginOutcome.InvalidState, Status: (string)r[1]!),
            -3 => new PartBegin(PartBeginOutcome.Expired),
            -4 => new PartBegin(PartBeginOutcome.NoSuchPart, PartCount: (int)(long)r[1]),
            -5 => new PartBegin(PartBeginOutcome.SizeMismatch, ExpectedSize: (long)r[1]),
            -6 => new PartBegin(PartBeginOutcome.ConcurrencyLimit),
            -7 => new PartBegin(PartBeginOutcome.PartInFlight),
            var code => throw new InvalidOperationException($"begin_part.lua returned unknown code {code}."),
        };
    }

    public Task RenewLeaseAsync(PartLease lease, CancellationToken cancellationToken) =>
        Db.ScriptEvaluateAsync(RedisScripts.RenewLease, [_keys.Leases(lease.UploadId)],
            [lease.PartNumber, lease.Token, NowMs + (long)_options.LeaseTtl.TotalMilliseconds]);

    public async Task<PartEnd> EndPartAsync(PartLease lease, PartRecord? accepted, CancellationToken cancellationToken)
    {
        RedisValue[] args =
        [
            lease.PartNumber, lease.Token, NowMs,
            accepted is null ? "" : PartRecordFormat.Encode(accepted),
            accepted?.Size ?? 0,
        ];
        var r = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisScripts.EndPart, _keys.SessionKeys(lease.UploadId), args))!;
        var code = (long)r[0];
        if (code == -1)
        {
            return new PartEnd(PartEndOutcome.NotFound);
        }
        var outcome = code switch
        {
            0 => PartEndOutcome.Recorded,
            1 => PartEndOutcome.Duplicate,
            2 => PartEndOutcome.Released,
            -2 => PartEndOutcome.NotTakingParts,
            -8 => PartEndOutcome.Conflict,
            _ => throw new InvalidOperationException($"end_part.lua returned unknown code {code}."),
        };
        return new PartEnd(outcome, (long)r[1], (int)(long)r[2], (string)r[3]!);
    }

    public async Task<IReadOnlyList<PartRecord>> ListPartsAsync(string id, CancellationToken cancellationToken)
    {
        var entries = await Db.HashGetAllAsync(_keys.Parts(id));
        return [.. entries
            .Select(e => PartRecordFormat.Decode(int.Parse((string)e.Name!, CultureInfo.InvariantCulture), (string)e.Value!))
            .OrderBy(p => p.Number)];
    }

    public async Task<Transition> TransitionAsync(string id, string? tenant, IReadOnlyCollection<string> from, string to,
        SessionResult? result, bool requireAllParts, CancellationToken cancellationToken)
    {
        RedisValue[] args =
        [
            tenant ?? "",
            "," + string.Join(',', from) + ",",
            to,
            NowMs,
            result is null ? "" : JsonSerializer.Serialize(result, SessionJsonContext.Default.SessionResult),
            requireAllParts ? "1" : "0",
        ];
        var r = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisScripts.Transition, [_keys.Session(id)], args))!;
        return (long)r[0] switch
        {
            0 => new Transition(TransitionOutcome.Done, (string)r[1]!),
            -1 => new Transition(TransitionOutcome.NotFound),
            -2 => new Transition(TransitionOutcome.WrongState, (string)r[1]!),
            -9 => new Transition(TransitionOutcome.PartsMissing, (string)r[1]!),
            var code => throw new InvalidOperationException($"transition.lua returned unknown code {code}."),
        };
    }

    public async Task<SessionPage> ListAsync(string tenant, string? status, ListCursor? after, int limit, CancellationToken cancellationToken)
    {
        var index = _keys.TenantIndex(tenant);
        var page = new List<UploadSession>(limit);
        var max = after is { } cursor ? cursor.CreatedAtMs : double.PositiveInfinity;
        const int Batch = 100;
        for (var skip = 0L; ; skip += Batch)
        {
            var entries = await Db.SortedSetRangeByScoreWithScoresAsync(index, double.NegativeInfinity, max, Exclude.None, Order.Descending, skip, Batch);
            var candidates = entries
                .Select(e => (Id: (string)e.Element!, CreatedMs: (long)e.Score))
                .Where(e => after is not { } c || c.IsBefore(e.CreatedMs, e.Id))
                .ToArray();
            var sessions = await Task.WhenAll(candidates.Select(c => GetAsync(c.Id, tenant, cancellationToken)));
            for (var i = 0; i < candidates.Length; i++)
            {
                if (sessions[i] is not { } session)
                {
                    // The session's keys expired after retention: forget it here too.
                    await Db.SortedSetRemoveAsync(index, candidates[i].Id);
                    continue;
                }
                if (status is null || session.Status == status)
                {
                    page.Add(session);
                    if (page.Count == limit)
                    {
                        var more = i < candidates.Length - 1 || entries.Length == Batch;
                        return new SessionPage(page, more ? new ListCursor(candidates[i].CreatedMs, candidates[i].Id) : null);
                    }
                }
            }
            if (entries.Length < Batch)
            {
                return new SessionPage(page, null);
            }
        }
    }

    public async Task<LiveSessions> ListLiveAsync(int max, CancellationToken cancellationToken)
    {
        // The expiry index holds exactly the sessions that have not ended: create adds them, ending forgets them.
        var total = await Db.SortedSetLengthAsync(_keys.ExpiryIndex);
        if (max <= 0 || total == 0)
        {
            return new LiveSessions(total, []);
        }
        var ids = await Db.SortedSetRangeByRankAsync(_keys.ExpiryIndex, 0, max - 1, Order.Descending);
        var sessions = await Task.WhenAll(ids.Select(id => GetAsync((string)id!, null, cancellationToken)));
        return new LiveSessions(total, [.. sessions.OfType<UploadSession>().Where(s => SessionStatus.IsLive(s.Status))]);
    }

    public async Task<IReadOnlyList<string>> DueForExpiryAsync(int max, CancellationToken cancellationToken)
    {
        var due = await Db.SortedSetRangeByScoreAsync(_keys.ExpiryIndex, double.NegativeInfinity, NowMs, Exclude.None, Order.Ascending, 0, max);
        return [.. due.Select(v => (string)v!)];
    }

    public Task ForgetExpiryAsync(string id, CancellationToken cancellationToken) =>
        Db.SortedSetRemoveAsync(_keys.ExpiryIndex, id);

    public async Task<bool> TryReserveAsync(string scope, string id, long bytes, long limit, DateTimeOffset until, CancellationToken cancellationToken) =>
        (long)await Db.ScriptEvaluateAsync(RedisScripts.Reserve, _keys.Quota(scope),
            [id, bytes, limit, until.ToUnixTimeMilliseconds(), NowMs]) == 1;

    public Task ReleaseAsync(string scope, string id, CancellationToken cancellationToken) =>
        Db.ScriptEvaluateAsync(RedisScripts.Release, _keys.Quota(scope), [id]);

    public async Task<long> ReservedAsync(string scope, CancellationToken cancellationToken) =>
        (long)await Db.ScriptEvaluateAsync(RedisScripts.Reserved, _keys.Quota(scope), [NowMs]);

    public async Task<bool> TryAcquireLockAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken) =>
        (long)await Db.ScriptEvaluateAsync(RedisScripts.LockAcquire, [_keys.Lock(name)], [owner, (long)ttl.TotalMilliseconds]) == 1;

    public Task ReleaseLockAsync(string name, string owner, CancellationToken cancellationToken) =>
        Db.ScriptEvaluateAsync(RedisScripts.LockRelease, [_keys.Lock(name)], [owner]);

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Db.PingAsync();
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
    }

    private static UploadSession Deserialize(string doc) =>
        JsonSerializer.Deserialize(doc, SessionJsonContext.Default.UploadSession)
            ?? throw new InvalidDataException("A stored session document is empty.");

    private static Dictionary<string, string> ToDictionary(RedisResult[] flat)
    {
        var fields = new Dictionary<string, string>(flat.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i < flat.Length; i += 2)
        {
            fields[(string)flat[i]!] = (string)flat[i + 1]!;
        }
        return fields;
    }

    private static UploadSession FromFields(Dictionary<string, string> fields) =>
        Deserialize(fields["doc"]) with
        {
            Status = fields["status"],
            AcceptedBytes = long.Parse(fields["acc"], CultureInfo.InvariantCulture),
            PartsReceived = int.Parse(fields["recv"], CultureInfo.InvariantCulture),
            UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(fields["upd"], CultureInfo.InvariantCulture)),
            Result = fields.TryGetValue("result", out var result)
                ? JsonSerializer.Deserialize(result, SessionJsonContext.Default.SessionResult)
                : null,
        };
}
