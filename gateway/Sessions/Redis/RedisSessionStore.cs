using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// The production store: every session in Redis, shared by any number of gateway instances. Each operation on
/// a session is one Lua script over that session's keys (<see cref="RedisKeys"/>), so it is atomic and one
/// round trip, run by SHA (<see cref="RedisScript"/>). Works on a single Redis and on Redis Cluster: a session's
/// keys share one hash tag and every key a script touches is in <c>KEYS[]</c>.
/// </summary>
/// <remarks>
/// Reads honour their <see cref="CancellationToken"/> by no longer waiting (<c>WaitAsync</c>, as
/// StackExchange.Redis advises: https://stackexchange.github.io/StackExchange.Redis/AsyncTimeouts); a command
/// once queued still runs, which is why the writes take none (see <see cref="ISessionStore"/>).
/// </remarks>
internal sealed partial class RedisSessionStore : ISessionStore, ISessionListing, ISessionExpiryIndex, IQuotaStore, IStoreLock, IEventLog
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
        _keys = new RedisKeys(options.KeyPrefix, options.EventShards);
    }

    private IDatabase Db => _redis.GetDatabase();

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task CreateAsync(UploadSession session)
    {
        var keepUntil = (session.ExpiresAt + _options.Retention).ToUnixTimeMilliseconds();
        RedisValue[] args = [keepUntil, _options.WriteEvents ? EventTypes.Created : "", NowMs, EventTypes.CurrentTraceParent(), session.Id, .. SessionHash.Fields(session, keepUntil)];
        RedisKey[] keys = [_keys.Session(session.Id), _keys.Events(session.Id), _keys.StatusIndex(EventTypes.ShardOf(session.Id, _keys.Shards), session.Tenant, session.Status)];
        var created = (long)await RedisScripts.Create.EvaluateAsync(Db, keys, args);
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
        var result = (RedisResult[])(await RedisScripts.Get.EvaluateAsync(Db, _keys.SessionKeys(id), [NowMs]).WaitAsync(cancellationToken))!;
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
        return SessionHash.Read(id, fields) with { ReceivedParts = received, PartsInFlight = (int)(long)result[2] };
    }

    public async Task<PartBegin> BeginPartAsync(PartLease lease, long? declaredSize)
    {
        RedisValue[] args = [lease.Tenant, lease.PartNumber, declaredSize ?? -1, NowMs, (long)_options.LeaseTtl.TotalMilliseconds, lease.Token];
        var r = (RedisResult[])(await RedisScripts.BeginPart.EvaluateAsync(Db, _keys.SessionKeys(lease.UploadId), args))!;
        return Code(r, RedisScripts.BeginPart) switch
        {
            ScriptResult.Ok => new PartBegin(PartBeginOutcome.Started, Session(lease.UploadId, r[2]), (long)r[1]),
            ScriptResult.AlreadyReceived => new PartBegin(PartBeginOutcome.AlreadyReceived, Session(lease.UploadId, r[2]), (long)r[1],
                PartRecordFormat.Decode(lease.PartNumber, (byte[])r[3]!)),
            ScriptResult.NotFound => new PartBegin(PartBeginOutcome.NotFound),
            ScriptResult.NotTakingParts => new PartBegin(PartBeginOutcome.InvalidState, Status: (string)r[1]!),
            ScriptResult.Expired => new PartBegin(PartBeginOutcome.Expired),
            ScriptResult.NoSuchPart => new PartBegin(PartBeginOutcome.NoSuchPart, PartCount: (int)(long)r[1]),
            ScriptResult.SizeMismatch => new PartBegin(PartBeginOutcome.SizeMismatch, ExpectedSize: (long)r[1]),
            ScriptResult.ConcurrencyLimit => new PartBegin(PartBeginOutcome.ConcurrencyLimit),
            ScriptResult.PartInFlight => new PartBegin(PartBeginOutcome.PartInFlight),
            var code => throw Unexpected(RedisScripts.BeginPart, code),
        };
    }

    public Task RenewLeaseAsync(PartLease lease) =>
        RedisScripts.RenewLease.EvaluateAsync(Db, [_keys.Leases(lease.UploadId)],
            [lease.PartNumber, lease.Token, NowMs + (long)_options.LeaseTtl.TotalMilliseconds]);

    public async Task<PartEnd> EndPartAsync(PartLease lease, PartRecord? accepted)
    {
        var record = accepted is null ? null : PartRecordFormat.Encode(accepted);
        RedisValue[] args =
        [
            lease.PartNumber, lease.Token, NowMs,
            record ?? [],
            accepted?.Size ?? 0,
            record is null ? 0 : PartRecordFormat.KeyLength(record),
            lease.UploadId,
        ];
        RedisKey[] keys = [.. _keys.SessionKeys(lease.UploadId), .. _keys.StatusIndexes(lease.UploadId, lease.Tenant)];
        var r = (RedisResult[])(await RedisScripts.EndPart.EvaluateAsync(Db, keys, args))!;
        var code = Code(r, RedisScripts.EndPart);
        if (code == ScriptResult.NotFound)
        {
            return new PartEnd(PartEndOutcome.NotFound);
        }
        var outcome = code switch
        {
            ScriptResult.Ok => PartEndOutcome.Recorded,
            ScriptResult.AlreadyReceived => PartEndOutcome.Duplicate,
            ScriptResult.Released => PartEndOutcome.Released,
            ScriptResult.NotTakingParts => PartEndOutcome.NotTakingParts,
            ScriptResult.PartConflict => PartEndOutcome.Conflict,
            _ => throw Unexpected(RedisScripts.EndPart, code),
        };
        return new PartEnd(outcome, (long)r[1], (int)(long)r[2], (string)r[3]!);
    }

    public async Task<IReadOnlyList<PartRecord>> ListPartsAsync(string id, CancellationToken cancellationToken)
    {
        var entries = await Db.HashGetAllAsync(_keys.Parts(id)).WaitAsync(cancellationToken);
        return [.. entries
            .Select(e => PartRecordFormat.Decode(int.Parse((string)e.Name!, CultureInfo.InvariantCulture), (byte[])e.Value!))
            .OrderBy(p => p.Number)];
    }

    public async Task<Transition> ApplyAsync(string id, string? tenant, SessionTransition transition, SessionResult? result = null)
    {
        // The status indexes are the owner's: an operator's call (any tenant) reads whose the session is first.
        // A session's tenant never changes, so reading it apart from the script races with nothing.
        var owner = tenant ?? (string?)await Db.HashGetAsync(_keys.Session(id), "tenant");
        if (owner is null)
        {
            return new Transition(TransitionOutcome.NotFound);
        }
        RedisValue[] args =
        [
            tenant ?? "",
            "," + string.Join(',', transition.From) + ",",
            transition.To,
            NowMs,
            result is null ? "" : JsonSerializer.Serialize(result, SessionJsonContext.Default.SessionResult),
            transition.RequireAllParts ? "1" : "0",
            _options.WriteEvents ? transition.Event ?? "" : "",
            transition.Event is null ? "" : EventTypes.CurrentTraceParent(),
            id,
        ];
        RedisKey[] keys = [_keys.Session(id), _keys.Events(id), _keys.Parts(id), .. _keys.StatusIndexes(id, owner)];
        var r = (RedisResult[])(await RedisScripts.Transition.EvaluateAsync(Db, keys, args))!;
        return Code(r, RedisScripts.Transition) switch
        {
            ScriptResult.Ok => new Transition(TransitionOutcome.Done, (string)r[1]!),
            ScriptResult.NotFound => new Transition(TransitionOutcome.NotFound),
            ScriptResult.NotTakingParts => new Transition(TransitionOutcome.WrongState, (string)r[1]!),
            ScriptResult.PartsMissing => new Transition(TransitionOutcome.PartsMissing, (string)r[1]!),
            var code => throw Unexpected(RedisScripts.Transition, code),
        };
    }

    public async Task<LiveSessions> ListLiveAsync(int max, CancellationToken cancellationToken)
    {
        // The expiry index holds exactly the sessions that have not ended: create adds them, ending forgets them.
        var total = await Db.SortedSetLengthAsync(_keys.ExpiryIndex).WaitAsync(cancellationToken);
        if (max <= 0 || total == 0)
        {
            return new LiveSessions(total, []);
        }
        var ids = await Db.SortedSetRangeByRankAsync(_keys.ExpiryIndex, 0, max - 1, Order.Descending).WaitAsync(cancellationToken);
        var sessions = await Task.WhenAll(ids.Select(id => GetAsync((string)id!, null, cancellationToken)));
        return new LiveSessions(total, [.. sessions.OfType<UploadSession>().Where(s => SessionStatus.IsLive(s.Status))]);
    }

    public async Task<IReadOnlyList<string>> DueForExpiryAsync(int max, CancellationToken cancellationToken)
    {
        var due = await Db.SortedSetRangeByScoreAsync(_keys.ExpiryIndex, double.NegativeInfinity, NowMs, Exclude.None, Order.Ascending, 0, max)
            .WaitAsync(cancellationToken);
        return [.. due.Select(v => (string)v!)];
    }

    public Task ForgetExpiryAsync(string id) => Db.SortedSetRemoveAsync(_keys.ExpiryIndex, id);

    public async Task<bool> TryReserveAsync(string scope, string id, long bytes, long limit, DateTimeOffset until) =>
        (long)await RedisScripts.Reserve.EvaluateAsync(Db, _keys.Quota(scope), [id, bytes, limit, until.ToUnixTimeMilliseconds(), NowMs]) == 1;

    public Task ReleaseAsync(string scope, string id) => RedisScripts.Release.EvaluateAsync(Db, _keys.Quota(scope), [id]);

    public async Task<bool> TryTakePlaceAsync(string scope, string id, int places, DateTimeOffset until) =>
        (long)await RedisScripts.TakePlace.EvaluateAsync(Db, [_keys.Places(scope)], [id, places, until.ToUnixTimeMilliseconds(), NowMs]) == 1;

    public Task ReleasePlaceAsync(string scope, string id) => Db.SortedSetRemoveAsync(_keys.Places(scope), id);

    public async Task<bool> TryAcquireLockAsync(string name, string owner, TimeSpan ttl) =>
        (long)await RedisScripts.LockAcquire.EvaluateAsync(Db, [_keys.Lock(name)], [owner, (long)ttl.TotalMilliseconds]) == 1;

    public Task ReleaseLockAsync(string name, string owner) => RedisScripts.LockRelease.EvaluateAsync(Db, [_keys.Lock(name)], [owner]);

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Db.PingAsync().WaitAsync(cancellationToken);
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
    }

    private static ScriptResult Code(RedisResult[] reply, RedisScript script) =>
        reply.Length > 0 ? (ScriptResult)(int)(long)reply[0] : throw Unexpected(script, null);

    private static InvalidOperationException Unexpected(RedisScript script, ScriptResult? code) =>
        new($"{script.Name}.lua returned unknown code {(code is { } c ? ((int)c).ToString(CultureInfo.InvariantCulture) : "nothing")}.");

    private static UploadSession Session(string id, RedisResult fields) => SessionHash.Read(id, ToDictionary((RedisResult[])fields!));

    private static Dictionary<string, string> ToDictionary(RedisResult[] flat)
    {
        var fields = new Dictionary<string, string>(flat.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i < flat.Length; i += 2)
        {
            fields[(string)flat[i]!] = (string)flat[i + 1]!;
        }
        return fields;
    }
}
