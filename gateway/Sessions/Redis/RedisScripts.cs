using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// What the scripts answer first: one code per outcome, the same numbers in C# and in Lua. The Lua side gets
/// them as locals (<c>NotFound</c>, <c>Expired</c>, …) from <see cref="RedisScripts.Prelude"/>, generated
/// from this enum, so no script carries a bare <c>-1</c>.
/// </summary>
internal enum ScriptResult
{
    Ok = 0,
    AlreadyReceived = 1,
    Released = 2,
    NotFound = -1,
    NotTakingParts = -2,
    Expired = -3,
    NoSuchPart = -4,
    SizeMismatch = -5,
    ConcurrencyLimit = -6,
    PartInFlight = -7,
    PartConflict = -8,
    PartsMissing = -9,
}

/// <summary>
/// The Lua scripts, embedded from <c>Sessions/Redis/*.lua</c> and read once at start-up (a missing one fails
/// fast), each behind a prelude generated from the C# rules: the <see cref="ScriptResult"/> codes, which
/// statuses take parts (<see cref="SessionStatus.TakingParts"/>) and the part-size rule
/// (<see cref="PartMath.LuaSizeOf"/>).
/// </summary>
internal static class RedisScripts
{
    public static readonly string Prelude = BuildPrelude();

    public static readonly RedisScript Create = Load("create");
    public static readonly RedisScript Get = Load("get");
    public static readonly RedisScript BeginPart = Load("begin_part");
    public static readonly RedisScript RenewLease = Load("renew_lease");
    public static readonly RedisScript EndPart = Load("end_part");
    public static readonly RedisScript Transition = Load("transition");
    public static readonly RedisScript Reserve = Load("reserve");
    public static readonly RedisScript Release = Load("release");
    public static readonly RedisScript TakePlace = Load("take_place");
    public static readonly RedisScript LockAcquire = Load("lock_acquire");
    public static readonly RedisScript LockRelease = Load("lock_release");
    public static readonly RedisScript Announce = Load("announce");
    public static readonly RedisScript DeadLetter = Load("dead_letter");

    private static string BuildPrelude()
    {
        var lua = new StringBuilder("-- generated from Gateway.Sessions (RedisScripts.Prelude)\n");
        foreach (var result in Enum.GetValues<ScriptResult>())
        {
            lua.Append("local ").Append(result).Append(" = ").Append((int)result).Append('\n');
        }
        lua.Append("local function takes_parts(status) return ")
            .Append(string.Join(" or ", SessionStatus.TakingParts.Select(s => $"status == '{s}'")))
            .Append(" end\n");
        lua.Append("local function part_size_of(size, part_size, n) return ").Append(PartMath.LuaSizeOf).Append(" end\n");
        lua.Append("local status_position = {")
            .AppendJoin(", ", SessionStatus.All.Select((status, i) => $"['{status}'] = {i}"))
            .Append("}\n");
        lua.Append(AppendEvent);
        lua.Append(StatusIndexes);
        return lua.ToString();
    }

    /// <summary>
    /// Appends one event to a shard's stream: its type, time and trace context, the received part numbers, and
    /// every field of the session hash as it is now (after the transition), so the payload can be rendered as
    /// the session was at that moment (<see cref="RedisSessionStore"/> reads them back the way it reads a session).
    /// Meta fields start with '_', which no session field does.
    /// </summary>
    private const string AppendEvent = """
        local function append_event(stream, session, parts, type, now, trace, id)
          local entry = {'_type', type, '_at', now, '_tp', trace, '_parts', '', '_id', id}
          if parts then
            entry[8] = table.concat(redis.call('HKEYS', parts), ',')
          end
          for _, v in ipairs(redis.call('HGETALL', session)) do
            entry[#entry + 1] = v
          end
          return redis.call('XADD', stream, '*', unpack(entry))
        end

        """;

    /// <summary>
    /// The per-status indexes listing by status reads (<see cref="RedisKeys.StatusIndex"/>): a session is in
    /// exactly one, its tenant's for its status in its shard, scored by when it was created in ms. The scripts
    /// that set a status move it in the same step. An index lives as long as the longest-kept session in it
    /// (<c>PEXPIRETIME</c> only ever moves later), so a tenant that stops leaves nothing behind.
    /// </summary>
    private const string StatusIndexes = """
        local function status_key(first, status)
          return KEYS[first + status_position[status]]
        end
        -- 'ct' holds 100 ns ticks since the epoch as decimal text: its last four digits dropped are the ms, exactly
        -- (a double divided would round near 2^53).
        local function index_status(index, session, id, keep_until)
          redis.call('ZADD', index, string.sub(redis.call('HGET', session, 'ct'), 1, -5), id)
          if redis.call('PEXPIRETIME', index) < tonumber(keep_until) then
            redis.call('PEXPIREAT', index, keep_until)
          end
        end
        local function move_status(from, to, session, id, keep_until)
          redis.call('ZREM', from, id)
          index_status(to, session, id, keep_until)
        end

        """;

    private static RedisScript Load(string name)
    {
        var resource = $"Gateway.Sessions.Redis.{name}.lua";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded Lua script {resource} is missing from the build.");
        using var reader = new StreamReader(stream);
        return new RedisScript(name, Prelude + reader.ReadToEnd());
    }
}

/// <summary>
/// One script, run by its SHA-1 (<c>EVALSHA</c>, https://redis.io/docs/latest/commands/evalsha/) so each call
/// sends a 40-byte hash instead of the text. A server that does not know it (first use on a node, or after a
/// restart or failover emptied its script cache) answers <c>NOSCRIPT</c>; the script is then sent once with
/// <c>EVAL</c>, which caches it on that node, and the call goes on. Every key is in <c>KEYS[]</c>, so the
/// command routes to the node owning the keys on Redis Cluster.
/// </summary>
internal sealed class RedisScript(string name, string text)
{
    private readonly byte[] _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));

    public string Name => name;

    public string Text => text;

    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync db, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            return await db.ScriptEvaluateAsync(_sha1, keys, args);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await db.ScriptEvaluateAsync(text, keys, args);
        }
    }
}
