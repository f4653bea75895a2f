using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// What a session's hash holds, each value once: the fields the scripts read keep their names (<c>tenant</c>,
/// <c>status</c>, <c>exp</c>, …), the rest, which only C# reads, have names of one or two letters; the id is
/// the key's. No value is a whole document: a hash whose every value is at most 64 bytes stays a listpack
/// (Redis's <c>hash-max-listpack-value</c>), a fraction of the size of a hashtable (docs/BENCHMARKS.md, "Redis
/// footprint").
/// </summary>
internal static class SessionHash
{
    private const string Backend = "b";
    private const string BackendType = "bt";
    private const string Kind = "k";
    private const string Conflict = "cf";
    private const string Limits = "l";
    private const string Sha256 = "h";
    private const string BackendSessionId = "bs";
    /// <summary>The backend's URLs' common start, the backend session id cut out (<see cref="AddUrls"/>).</summary>
    private const string UrlPrefix = "bu";

    /// <summary>Each URL's rest after <see cref="UrlPrefix"/>: <c>u:</c> and the endpoint's name.</summary>
    private const string UrlRest = "u:";
    private const string QuotaScopes = "q";
    private const string Created = "ct";
    private const string ExpiresSubMs = "ex";

    /// <summary>
    /// The target: its backend's own JSON document (<see cref="UploadTarget"/>), which only the backend reads, cut
    /// into pieces of at most <see cref="ListpackValueBytes"/> bytes in fields <c>t</c>, <c>t1</c>, <c>t2</c>, … so
    /// that a long path does not turn the whole hash into a hashtable.
    /// </summary>
    private const string Target = "t";

    /// <summary>Redis's default <c>hash-max-listpack-value</c>.</summary>
    private const int ListpackValueBytes = 64;

    private static readonly long s_epochTicks = DateTimeOffset.UnixEpoch.UtcTicks;

    /// <summary>Field, value, field, value, … for <c>create.lua</c>: every field of a new session once.</summary>
    public static List<RedisValue> Fields(UploadSession session, long keepUntilMs)
    {
        var expiresMs = session.ExpiresAt.ToUnixTimeMilliseconds();
        var fields = new List<RedisValue>(48)
        {
            "tenant", session.Tenant,
            "status", session.Status,
            "exp", expiresMs,
            "size", session.ContentLength,
            "psize", session.PartSize,
            "pcount", session.PartCount,
            "maxc", session.MaxConcurrency,
            "acc", session.AcceptedBytes,
            "recv", session.PartsReceived,
            "upd", session.UpdatedAt.ToUnixTimeMilliseconds(),
            "kexp", keepUntilMs,
            Backend, session.Backend,
            BackendType, session.BackendType,
            Kind, session.Kind,
            Conflict, session.Conflict,
            // Created to the tick and expiry's part below the millisecond: reads give back the times create answered with.
            Created, session.CreatedAt.UtcTicks - s_epochTicks,
            Limits, string.Create(CultureInfo.InvariantCulture,
                $"{session.Limits.MaxUploadBytes},{session.Limits.MaxPartBytes},{session.Limits.MaxConcurrency},{session.Limits.StagingQuotaBytes}"),
            BackendSessionId, session.BackendSession.Id,
        };
        AddTarget(fields, session.Target.Json);
        var subMs = session.ExpiresAt.UtcTicks - s_epochTicks - expiresMs * TimeSpan.TicksPerMillisecond;
        Optional(fields, ExpiresSubMs, subMs == 0 ? null : subMs.ToString(CultureInfo.InvariantCulture));
        Optional(fields, Sha256, session.Sha256);
        AddUrls(fields, session.BackendSession);
        Optional(fields, QuotaScopes, session.QuotaScopes.Count > 0
            ? JsonSerializer.Serialize(session.QuotaScopes, SessionJsonContext.Default.IReadOnlyListString)
            : null);
        return fields;
    }

    /// <summary>The session a hash holds (without its parts and leases).</summary>
    public static UploadSession Read(string id, Dictionary<string, string> fields)
    {
        return FromFields(id, fields) with
        {
            Status = fields["status"],
            AcceptedBytes = Long(fields["acc"]),
            PartsReceived = (int)Long(fields["recv"]),
            UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(fields["upd"])),
            Result = fields.TryGetValue("result", out var result)
                ? JsonSerializer.Deserialize(result, SessionJsonContext.Default.SessionResult)
                : null,
        };
    }

    private static UploadSession FromFields(string id, Dictionary<string, string> f)
    {
        var limits = f[Limits].Split(',');
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(Long(f["exp"]));
        return new UploadSession
        {
            Id = id,
            Tenant = f["tenant"],
            Backend = f[Backend],
            BackendType = f[BackendType],
            Target = ReadTarget(f),
            Kind = f[Kind],
            Conflict = f[Conflict],
            ContentLength = Long(f["size"]),
            PartSize = Long(f["psize"]),
            PartCount = (int)Long(f["pcount"]),
            MaxConcurrency = (int)Long(f["maxc"]),
            Limits = new SessionLimits(Long(limits[0]), Long(limits[1]), (int)Long(limits[2]), Long(limits[3])),
            Sha256 = f.GetValueOrDefault(Sha256),
            BackendSession = new BackendSessionRef(f[BackendSessionId], ReadUrls(f, f[BackendSessionId])),
            QuotaScopes = f.TryGetValue(QuotaScopes, out var scopes)
                ? JsonSerializer.Deserialize(scopes, SessionJsonContext.Default.IReadOnlyListString) ?? []
                : [],
            Status = f["status"],
            CreatedAt = new DateTimeOffset(s_epochTicks + Long(f[Created]), TimeSpan.Zero),
            UpdatedAt = default,
            ExpiresAt = f.TryGetValue(ExpiresSubMs, out var subMs) ? expires.AddTicks(Long(subMs)) : expires,
        };
    }

    /// <summary>
    /// A backend's URLs (Box's five <c>session_endpoints</c>) as their common start, once, with the backend session id
    /// cut out of it (<c>offset:text</c>), and each URL's rest in a field of its own: Box's all fit in 64 bytes so
    /// (<c>53:https://upload.box.com/api/2.0/files/upload_sessions/</c>, <c>/commit</c>, …), where one JSON document
    /// of them takes 400.
    /// </summary>
    private static void AddUrls(List<RedisValue> fields, BackendSessionRef backend)
    {
        if (backend.Urls is not { Count: > 0 } urls)
        {
            return;
        }
        var prefix = urls.Values.Aggregate((a, b) => a[..a.AsSpan().CommonPrefixLength(b)]);
        var at = backend.Id.Length > 0 ? prefix.IndexOf(backend.Id, StringComparison.Ordinal) : -1;
        fields.Add(UrlPrefix);
        fields.Add(at < 0 ? ":" + prefix : string.Create(CultureInfo.InvariantCulture, $"{at}:{prefix.Remove(at, backend.Id.Length)}"));
        foreach (var (name, url) in urls)
        {
            fields.Add(UrlRest + name);
            fields.Add(url[prefix.Length..]);
        }
    }

    private static Dictionary<string, string>? ReadUrls(Dictionary<string, string> f, string backendId)
    {
        if (!f.TryGetValue(UrlPrefix, out var stored))
        {
            return null;
        }
        var colon = stored.IndexOf(':', StringComparison.Ordinal);
        var prefix = stored[(colon + 1)..];
        if (colon > 0)
        {
            prefix = prefix.Insert((int)Long(stored[..colon]), backendId);
        }
        return f.Where(e => e.Key.StartsWith(UrlRest, StringComparison.Ordinal))
            .ToDictionary(e => e.Key[UrlRest.Length..], e => prefix + e.Value, StringComparer.Ordinal);
    }

    private static void AddTarget(List<RedisValue> fields, string json)
    {
        var (start, bytes, piece) = (0, 0, 0);
        for (var i = 0; i <= json.Length; i++)
        {
            // A piece ends before the character that would take it over the limit, never inside a surrogate pair.
            var size = i == json.Length ? 0 : char.IsHighSurrogate(json[i]) ? 4 : char.IsLowSurrogate(json[i]) ? 0 : json[i] < 0x80 ? 1 : json[i] < 0x800 ? 2 : 3;
            if (i == json.Length || bytes + size > ListpackValueBytes)
            {
                fields.Add(piece == 0 ? Target : Target + piece.ToString(CultureInfo.InvariantCulture));
                fields.Add(json[start..i]);
                (start, bytes) = (i, 0);
                piece++;
            }
            bytes += size;
        }
    }

    private static UploadTarget ReadTarget(Dictionary<string, string> f)
    {
        var json = f[Target];
        for (var piece = 1; f.TryGetValue(Target + piece.ToString(CultureInfo.InvariantCulture), out var more); piece++)
        {
            json += more;
        }
        return UploadTarget.Parse(json);
    }

    private static void Optional(List<RedisValue> fields, string name, string? value)
    {
        if (value is not null)
        {
            fields.Add(name);
            fields.Add(value);
        }
    }

    private static long Long(string text) => long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
