namespace Gateway.Sessions.InMemory;

/// <summary>Staging-quota reservations (<see cref="IQuotaStore"/>) and named locks (<see cref="IStoreLock"/>), under the store's one lock.</summary>
internal sealed partial class InMemorySessionStore
{
    public Task<bool> TryReserveAsync(string scope, string id, long bytes, long limit, DateTimeOffset until)
    {
        lock (_lock)
        {
            var reservations = Reservations(scope);
            if (reservations.ContainsKey(id))
            {
                return Task.FromResult(true);
            }
            if (reservations.Values.Sum(r => r.Bytes) + bytes > limit)
            {
                return Task.FromResult(false);
            }
            reservations[id] = new Reservation(bytes, until);
            return Task.FromResult(true);
        }
    }

    public Task ReleaseAsync(string scope, string id)
    {
        lock (_lock)
        {
            Reservations(scope).Remove(id);
        }
        return Task.CompletedTask;
    }

    // A place is a reservation of one under a limit of the places, in a namespace of its own: the same rule as take_place.lua.
    public Task<bool> TryTakePlaceAsync(string scope, string id, int places, DateTimeOffset until) =>
        TryReserveAsync("places:" + scope, id, 1, places, until);

    public Task ReleasePlaceAsync(string scope, string id) => ReleaseAsync("places:" + scope, id);

    public Task<bool> TryAcquireLockAsync(string name, string owner, TimeSpan ttl)
    {
        lock (_lock)
        {
            if (_locks.TryGetValue(name, out var held) && held.Until > Now && held.Owner != owner)
            {
                return Task.FromResult(false);
            }
            _locks[name] = (owner, Now + ttl);
            return Task.FromResult(true);
        }
    }

    public Task ReleaseLockAsync(string name, string owner)
    {
        lock (_lock)
        {
            if (_locks.TryGetValue(name, out var held) && held.Owner == owner)
            {
                _locks.Remove(name);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>A scope's reservations, without the lapsed ones (see reserve.lua).</summary>
    private Dictionary<string, Reservation> Reservations(string scope)
    {
        if (!_quotas.TryGetValue(scope, out var reservations))
        {
            _quotas[scope] = reservations = new Dictionary<string, Reservation>(StringComparer.Ordinal);
        }
        var now = Now;
        foreach (var id in reservations.Where(r => r.Value.Until <= now).Select(r => r.Key).ToList())
        {
            reservations.Remove(id);
        }
        return reservations;
    }

    private sealed record Reservation(long Bytes, DateTimeOffset Until);
}
