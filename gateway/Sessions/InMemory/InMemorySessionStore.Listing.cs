namespace Gateway.Sessions.InMemory;

/// <summary>
/// <c>GET /v1/uploads</c>, as the Redis store lists: all of a tenant's sessions newest first, or those of one
/// status from a per-status index kept in step with every status change, so a page by status costs the page.
/// </summary>
internal sealed partial class InMemorySessionStore
{
    private readonly Dictionary<(string Tenant, string Status), SortedSet<(long CreatedMs, string Id)>> _byStatus = [];

    public Task<SessionPage> ListAsync(string tenant, string? status, ListCursor? after, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(status is null ? ListAll(tenant, after, limit) : ListByStatus(tenant, status, after, limit));
        }
    }

    private SessionPage ListByStatus(string tenant, string status, ListCursor? after, int limit)
    {
        if (!_byStatus.TryGetValue((tenant, status), out var index))
        {
            return new SessionPage([], null);
        }
        while (true)
        {
            IEnumerable<(long CreatedMs, string Id)> from = index;
            if (after is { } c)
            {
                from = index.Count == 0 || NewestFirst.Instance.Compare((c.CreatedAtMs, c.Id), index.Max) > 0
                    ? []
                    : index.GetViewBetween((c.CreatedAtMs, c.Id), index.Max);
            }
            var candidates = from
                .Where(e => after is not { } cursor || cursor.IsBefore(e.CreatedMs, e.Id))
                .Take(limit + 1)
                .ToList();
            // Find drops a session past its retention, and its index entry with it: then look again.
            var entries = candidates.Take(limit).Select(e => Find(e.Id)).ToList();
            if (entries.Any(e => e is null))
            {
                continue;
            }
            var page = entries.Select(e => Snapshot(e!)).ToList();
            ListCursor? next = candidates.Count > limit ? new ListCursor(candidates[limit - 1].CreatedMs, candidates[limit - 1].Id) : null;
            return new SessionPage(page, next);
        }
    }

    private SessionPage ListAll(string tenant, ListCursor? after, int limit)
    {
        {
            foreach (var id in _sessions.Keys.ToList())
            {
                Find(id);
            }
            var ordered = _sessions.Values
                .Where(e => e.Session.Tenant == tenant)
                .Select(e => (Entry: e, CreatedMs: e.Session.CreatedAt.ToUnixTimeMilliseconds()))
                .OrderByDescending(e => e.CreatedMs).ThenByDescending(e => e.Entry.Session.Id, StringComparer.Ordinal)
                .Where(e => after is not { } c || c.IsBefore(e.CreatedMs, e.Entry.Session.Id))
                .Take(limit + 1)
                .ToList();
            var page = ordered.Take(limit).Select(e => Snapshot(e.Entry)).ToList();
            ListCursor? next = ordered.Count > limit ? new ListCursor(ordered[limit - 1].CreatedMs, page[^1].Id) : null;
            return new SessionPage(page, next);
        }
    }


    /// <summary>Replaces an entry's session, moving it between status indexes when its status changes.</summary>
    private void SetSession(Entry entry, UploadSession updated)
    {
        if (updated.Status != entry.Session.Status)
        {
            Unindex(entry.Session);
            Index(updated);
        }
        entry.Session = updated;
    }

    private void Index(UploadSession session)
    {
        if (!_byStatus.TryGetValue((session.Tenant, session.Status), out var index))
        {
            _byStatus[(session.Tenant, session.Status)] = index = new SortedSet<(long CreatedMs, string Id)>(NewestFirst.Instance);
        }
        index.Add((session.CreatedAt.ToUnixTimeMilliseconds(), session.Id));
    }

    private void Unindex(UploadSession session)
    {
        if (_byStatus.TryGetValue((session.Tenant, session.Status), out var index))
        {
            index.Remove((session.CreatedAt.ToUnixTimeMilliseconds(), session.Id));
            if (index.Count == 0)
            {
                _byStatus.Remove((session.Tenant, session.Status));
            }
        }
    }

    /// <summary>Newest first, then by id descending (ordinal), as Redis orders a sorted set read in reverse.</summary>
    private sealed class NewestFirst : IComparer<(long CreatedMs, string Id)>
    {
        public static readonly NewestFirst Instance = new();

        public int Compare((long CreatedMs, string Id) x, (long CreatedMs, string Id) y) =>
            x.CreatedMs != y.CreatedMs ? y.CreatedMs.CompareTo(x.CreatedMs) : string.CompareOrdinal(y.Id, x.Id);
    }
}
