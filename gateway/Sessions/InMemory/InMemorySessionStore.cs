namespace Gateway.Sessions.InMemory;

/// <summary>
/// The embedded default store, used when no Redis is configured: the same behaviour as the Redis store (one
/// test suite runs against both), for one gateway instance trying things out. State dies with the process.
/// One lock guards everything; each operation is as atomic as its Lua counterpart, and applies the same rule
/// objects (<see cref="SessionStatus.TakesParts"/>, <see cref="PartMath"/>, <see cref="SessionTransition"/>,
/// <see cref="UploadSession.StatusAt"/>).
/// </summary>
internal sealed partial class InMemorySessionStore : ISessionStore, ISessionListing, ISessionExpiryIndex, IQuotaStore, IStoreLock, IEventLog
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, Reservation>> _quotas = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Owner, DateTimeOffset Until)> _locks = new(StringComparer.Ordinal);
    private readonly StoreOptions _options;
    private readonly TimeProvider _time;

    public InMemorySessionStore(StoreOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _time = time;
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    public Task CreateAsync(UploadSession session)
    {
        lock (_lock)
        {
            if (Find(session.Id) is not null)
            {
                throw new InvalidOperationException($"Upload id {session.Id} is already taken.");
            }
            _sessions[session.Id] = new Entry(session with { AcceptedBytes = 0, PartsReceived = 0 }, session.ExpiresAt + _options.Retention);
            Index(_sessions[session.Id].Session);
            if (_options.WriteEvents)
            {
                AppendEvent(EventTypes.Created, _sessions[session.Id]);
            }
        }
        return Task.CompletedTask;
    }

    public Task<UploadSession?> GetAsync(string id, string? tenant, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(Find(id, tenant) is { } entry ? Snapshot(entry) : null);
        }
    }

    public Task<PartBegin> BeginPartAsync(PartLease lease, long? declaredSize)
    {
        lock (_lock)
        {
            return Task.FromResult(Begin(lease, declaredSize));
        }
    }

    private PartBegin Begin(PartLease lease, long? declaredSize)
    {
        if (Find(lease.UploadId, lease.Tenant) is not { } entry)
        {
            return new PartBegin(PartBeginOutcome.NotFound);
        }
        var session = entry.Session;
        if (session.Status == SessionStatus.Expired)
        {
            return new PartBegin(PartBeginOutcome.Expired);
        }
        if (!SessionStatus.TakesParts(session.Status))
        {
            return new PartBegin(PartBeginOutcome.InvalidState, Status: session.Status);
        }
        if (session.StatusAt(Now) == SessionStatus.Expired)
        {
            return new PartBegin(PartBeginOutcome.Expired);
        }
        var n = lease.PartNumber;
        if (n < 1 || n > session.PartCount)
        {
            return new PartBegin(PartBeginOutcome.NoSuchPart, PartCount: session.PartCount);
        }
        var expected = session.SizeOf(n);
        if (declaredSize is { } declared && declared != expected)
        {
            return new PartBegin(PartBeginOutcome.SizeMismatch, ExpectedSize: expected);
        }
        if (entry.Parts.TryGetValue(n, out var existing))
        {
            return new PartBegin(PartBeginOutcome.AlreadyReceived, session, expected, existing);
        }
        DropLapsedLeases(entry);
        if (entry.Leases.ContainsKey(n))
        {
            return new PartBegin(PartBeginOutcome.PartInFlight);
        }
        if (entry.Leases.Count >= session.MaxConcurrency)
        {
            return new PartBegin(PartBeginOutcome.ConcurrencyLimit);
        }
        entry.Leases[n] = (lease.Token, Now + _options.LeaseTtl);
        return new PartBegin(PartBeginOutcome.Started, session, expected);
    }

    public Task RenewLeaseAsync(PartLease lease)
    {
        lock (_lock)
        {
            if (Find(lease.UploadId) is { } entry && entry.Leases.TryGetValue(lease.PartNumber, out var held) && held.Token == lease.Token)
            {
                entry.Leases[lease.PartNumber] = (lease.Token, Now + _options.LeaseTtl);
            }
        }
        return Task.CompletedTask;
    }

    public Task<PartEnd> EndPartAsync(PartLease lease, PartRecord? accepted)
    {
        lock (_lock)
        {
            return Task.FromResult(End(lease, accepted));
        }
    }

    private PartEnd End(PartLease lease, PartRecord? accepted)
    {
        if (Find(lease.UploadId) is not { } entry)
        {
            return new PartEnd(PartEndOutcome.NotFound);
        }
        if (entry.Leases.TryGetValue(lease.PartNumber, out var held) && held.Token == lease.Token)
        {
            entry.Leases.Remove(lease.PartNumber);
        }
        var session = entry.Session;
        PartEnd Result(PartEndOutcome outcome) => new(outcome, entry.Session.AcceptedBytes, entry.Session.PartsReceived, entry.Session.Status);
        if (accepted is null)
        {
            return Result(PartEndOutcome.Released);
        }
        if (entry.Parts.TryGetValue(lease.PartNumber, out var existing))
        {
            return Result(existing.SameBytesAs(accepted) ? PartEndOutcome.Duplicate : PartEndOutcome.Conflict);
        }
        if (!SessionStatus.TakesParts(session.Status))
        {
            return Result(PartEndOutcome.NotTakingParts);
        }
        entry.Parts[lease.PartNumber] = accepted with { Number = lease.PartNumber };
        var received = session.PartsReceived + 1;
        SetSession(entry, session with
        {
            AcceptedBytes = session.AcceptedBytes + accepted.Size,
            PartsReceived = received,
            Status = received >= session.PartCount ? SessionStatus.Staged : SessionStatus.Uploading,
            UpdatedAt = Now,
        });
        return Result(PartEndOutcome.Recorded);
    }

    public Task<IReadOnlyList<PartRecord>> ListPartsAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<PartRecord> parts = Find(id) is { } entry ? [.. entry.Parts.Values] : [];
            return Task.FromResult(parts);
        }
    }

    public Task<Transition> ApplyAsync(string id, string? tenant, SessionTransition transition, SessionResult? result = null)
    {
        lock (_lock)
        {
            if (Find(id, tenant) is not { } entry)
            {
                return Task.FromResult(new Transition(TransitionOutcome.NotFound));
            }
            var session = entry.Session;
            if (!transition.StartsFrom(session.Status))
            {
                return Task.FromResult(new Transition(TransitionOutcome.WrongState, session.Status));
            }
            if (transition.RequireAllParts && session.PartsReceived < session.PartCount)
            {
                return Task.FromResult(new Transition(TransitionOutcome.PartsMissing, session.Status));
            }
            SetSession(entry, session with { Status = transition.To, UpdatedAt = Now, Result = result ?? session.Result });
            if (transition.Event is { } type && _options.WriteEvents)
            {
                AppendEvent(type, entry);
            }
            return Task.FromResult(new Transition(TransitionOutcome.Done, session.Status));
        }
    }

    public Task<LiveSessions> ListLiveAsync(int max, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var live = _sessions.Values.Where(e => e.Indexed).ToList();
            IReadOnlyList<UploadSession> page = [.. live
                .OrderByDescending(e => e.Session.ExpiresAt)
                .Take(Math.Max(0, max))
                .Select(Snapshot)
                .Where(s => SessionStatus.IsLive(s.Status))];
            return Task.FromResult(new LiveSessions(live.Count, page));
        }
    }

    public Task<IReadOnlyList<string>> DueForExpiryAsync(int max, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = Now;
            IReadOnlyList<string> due = [.. _sessions.Values
                .Where(e => e.Indexed && e.Session.ExpiresAt <= now)
                .OrderBy(e => e.Session.ExpiresAt)
                .Take(max)
                .Select(e => e.Session.Id)];
            return Task.FromResult(due);
        }
    }

    public Task ForgetExpiryAsync(string id)
    {
        lock (_lock)
        {
            if (_sessions.TryGetValue(id, out var entry))
            {
                entry.Indexed = false;
            }
        }
        return Task.CompletedTask;
    }

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    /// <summary>A live entry, or null; entries past their retention are dropped on the way, as Redis expires keys.</summary>
    private Entry? Find(string id, string? tenant = null)
    {
        if (!_sessions.TryGetValue(id, out var entry))
        {
            return null;
        }
        if (entry.KeepUntil <= Now)
        {
            _sessions.Remove(id);
            Unindex(entry.Session);
            return null;
        }
        return tenant is null || entry.Session.Tenant == tenant ? entry : null;
    }

    private UploadSession Snapshot(Entry entry)
    {
        DropLapsedLeases(entry);
        return entry.Session with { ReceivedParts = [.. entry.Parts.Keys], PartsInFlight = entry.Leases.Count };
    }

    private void DropLapsedLeases(Entry entry)
    {
        var now = Now;
        foreach (var (part, lease) in entry.Leases.Where(l => l.Value.Until <= now).ToList())
        {
            entry.Leases.Remove(part);
        }
    }

    private sealed class Entry(UploadSession session, DateTimeOffset keepUntil)
    {
        public UploadSession Session { get; set; } = session;

        public DateTimeOffset KeepUntil { get; } = keepUntil;

        public SortedDictionary<int, PartRecord> Parts { get; } = [];

        public Dictionary<int, (string Token, DateTimeOffset Until)> Leases { get; } = [];

        /// <summary>Still in the expiry index (see <see cref="ISessionExpiryIndex.ForgetExpiryAsync"/>).</summary>
        public bool Indexed { get; set; } = true;
    }
}
