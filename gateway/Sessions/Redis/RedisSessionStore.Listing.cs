using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// <c>GET /v1/uploads</c>: a tenant's sessions newest first, all of them from the tenant's index, or those of
/// one status from the per-status indexes the scripts keep (<see cref="RedisKeys.StatusIndex"/>), so a page
/// costs one range read per shard and one read per session on it, however many sessions the tenant has.
/// </summary>
internal sealed partial class RedisSessionStore
{
    public Task<SessionPage> ListAsync(string tenant, string? status, ListCursor? after, int limit, CancellationToken cancellationToken) =>
        status is null
            ? ListAllAsync(tenant, after, limit, cancellationToken)
            : ListByStatusAsync(tenant, status, after, limit, cancellationToken);

    private async Task<SessionPage> ListByStatusAsync(string tenant, string status, ListCursor? after, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            // The newest limit + 1 of each shard's index are enough to know the newest limit + 1 of them all.
            var heads = await Task.WhenAll(Enumerable.Range(0, _keys.Shards)
                .Select(shard => HeadAsync(_keys.StatusIndex(shard, tenant, status), after, limit + 1, cancellationToken)));
            var candidates = heads.SelectMany(h => h)
                .OrderByDescending(c => c.CreatedMs).ThenByDescending(c => c.Id, StringComparer.Ordinal)
                .Take(limit + 1)
                .ToArray();
            var onPage = candidates.Take(limit).ToArray();
            var sessions = await Task.WhenAll(onPage.Select(c => GetAsync(c.Id, tenant, cancellationToken)));
            var gone = onPage.Where((_, i) => sessions[i] is null).ToArray();
            if (gone.Length > 0)
            {
                // Their keys expired after retention: forget them here too, and read the heads again.
                await Task.WhenAll(gone.Select(c => Db.SortedSetRemoveAsync(c.Index, c.Id)));
                continue;
            }
            var next = candidates.Length > limit ? new ListCursor(onPage[^1].CreatedMs, onPage[^1].Id) : (ListCursor?)null;
            // A session that moved on between the two reads is not of this status any more: left off, the cursor holds.
            return new SessionPage([.. sessions.OfType<UploadSession>().Where(s => s.Status == status)], next);
        }
    }

    /// <summary>One index's newest <paramref name="count"/> entries after the cursor.</summary>
    private async Task<List<Candidate>> HeadAsync(RedisKey index, ListCursor? after, int count, CancellationToken cancellationToken)
    {
        var head = new List<Candidate>(count);
        var max = after is { } cursor ? cursor.CreatedAtMs : double.PositiveInfinity;
        for (var skip = 0L; ; skip += count)
        {
            // Ties with the cursor's millisecond are ordered by id, which the score cannot say: read on past them.
            var entries = await Db.SortedSetRangeByScoreWithScoresAsync(index, double.NegativeInfinity, max, Exclude.None, Order.Descending, skip, count)
                .WaitAsync(cancellationToken);
            foreach (var entry in entries)
            {
                var (id, ms) = ((string)entry.Element!, (long)entry.Score);
                if (after is not { } c || c.IsBefore(ms, id))
                {
                    head.Add(new Candidate(index, ms, id));
                    if (head.Count == count)
                    {
                        return head;
                    }
                }
            }
            if (entries.Length < count)
            {
                return head;
            }
        }
    }

    private async Task<SessionPage> ListAllAsync(string tenant, ListCursor? after, int limit, CancellationToken cancellationToken)
    {
        var index = _keys.TenantIndex(tenant);
        var page = new List<UploadSession>(limit);
        var max = after is { } cursor ? cursor.CreatedAtMs : double.PositiveInfinity;
        const int Batch = 100;
        for (var skip = 0L; ; skip += Batch)
        {
            var entries = await Db.SortedSetRangeByScoreWithScoresAsync(index, double.NegativeInfinity, max, Exclude.None, Order.Descending, skip, Batch)
                .WaitAsync(cancellationToken);
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
                page.Add(session);
                if (page.Count == limit)
                {
                    var more = i < candidates.Length - 1 || entries.Length == Batch;
                    return new SessionPage(page, more ? new ListCursor(candidates[i].CreatedMs, candidates[i].Id) : null);
                }
            }
            if (entries.Length < Batch)
            {
                return new SessionPage(page, null);
            }
        }
    }


    private readonly record struct Candidate(RedisKey Index, long CreatedMs, string Id);
}
