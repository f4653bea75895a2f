using System.Collections.Concurrent;
using System.Security.Cryptography;
using MockBox.Auth;
using MockBox.Configuration;
using MockBox.Errors;

namespace MockBox.Sessions;

/// <summary>
/// Every upload session, by id. Expired sessions stay as tombstones (their bytes deleted) so they keep
/// answering 410 <c>session_expired</c> rather than 404 (README.md "Limits and lifecycle"); aborted ones
/// are forgotten and answer 404.
/// </summary>
internal sealed class SessionStore(DataDirectory data, TimeProvider time, ILogger<SessionStore> logger)
{
    /// <summary>Box's session ids are 32 uppercase hex characters (README.md example F971964745A5CD0C001BBE4E58196BFD).</summary>
    public const int IdLength = 32;

    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, UploadSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>When the next create sweeps expired sessions (UTC ticks).</summary>
    private long _nextSweep;

    public UploadSession Create(BoxUser owner, SessionTarget target, long fileSize, long configuredPartSize, TimeSpan ttl)
    {
        SweepExpired();
        var (partSize, totalParts) = PartSizing.For(fileSize, configuredPartSize);
        var now = time.GetUtcNow();
        while (true)
        {
            var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(IdLength / 2));
            var session = new UploadSession(id, owner, target, fileSize, partSize, totalParts, now, now + ttl, data.SessionFolder(id));
            if (_sessions.TryAdd(id, session))
            {
                Directory.CreateDirectory(session.Folder);
                return session;
            }
        }
    }

    /// <summary>
    /// The session a session-scoped request names, or the error that answers it: 400
    /// <c>invalid_upload_session_id</c> for a malformed id, 404 for an unknown or aborted one, 403 for
    /// another user's (README.md common errors: only its creator may use it), 410 once expired.
    /// </summary>
    public (UploadSession? Session, BoxError? Error) Resolve(string sessionId, BoxUser user)
    {
        if (!IsWellFormed(sessionId))
        {
            return (null, BoxErrors.InvalidUploadSessionId());
        }
        if (!_sessions.TryGetValue(sessionId.ToUpperInvariant(), out var session) || session.State == SessionState.Aborted)
        {
            return (null, BoxErrors.SessionNotFound());
        }
        if (session.Owner.Id != user.Id)
        {
            return (null, BoxErrors.Forbidden());
        }
        if (session.ExpireIfDue(time.GetUtcNow()))
        {
            Log.SessionExpired(logger, session.Id);
            return (null, BoxErrors.SessionExpired());
        }
        return (session, null);
    }

    public void Remove(UploadSession session) => _sessions.TryRemove(session.Id, out _);

    /// <summary>Forgets every session (mock reset). The caller empties the data folder.</summary>
    public void Reset()
    {
        foreach (var session in _sessions.Values)
        {
            session.Discard();
        }
        _sessions.Clear();
    }

    private static bool IsWellFormed(string id) => id.Length == IdLength && id.All(char.IsAsciiHexDigit);

    // Expiry is otherwise noticed when a session is next used; sweeping on create bounds the disk a
    // long-running mock holds for sessions clients walked away from. A sweep visits every session, so it runs at most
    // once per SweepEvery: on every create, a burst of N creates cost N² (mock-sandbox's creates did, docs/BENCHMARKS.md).
    private void SweepExpired()
    {
        var now = time.GetUtcNow();
        var due = Interlocked.Read(ref _nextSweep);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweep, now.UtcTicks + SweepEvery.Ticks, due) != due)
        {
            return;
        }
        foreach (var session in _sessions.Values)
        {
            if (session.State == SessionState.Active && session.IsExpired(now) && session.ExpireIfDue(now))
            {
                Log.SessionExpired(logger, session.Id);
            }
        }
    }
}
