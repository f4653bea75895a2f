using System.Diagnostics;
using Gateway.Sessions;
using static Gateway.Telemetry.GatewayTelemetry;

namespace Gateway.Telemetry;

/// <summary>
/// Every store call as a span (<c>store {operation}</c>) and a <c>gateway.store.operation.duration</c>
/// measurement, failures with their <c>error.type</c>: one operation of the session's life, whatever it takes
/// underneath. The Redis commands it sends are spans of their own below it (the StackExchange.Redis
/// instrumentation, client spans). Registered by Telemetry over whichever store Sessions chose (with all its
/// capabilities), so the Redis and in-memory stores read alike on a dashboard.
/// </summary>
/// <param name="system"><c>db.system.name</c>: "redis", or "memory" for the embedded store.</param>
internal sealed class InstrumentedSessionStore(ISessionStore inner, GatewayMetrics metrics, string system)
    : ISessionStore, ISessionListing, ISessionExpiryIndex, IQuotaStore, IStoreLock
{
    private ISessionListing Listing => (ISessionListing)inner;

    private ISessionExpiryIndex Expiry => (ISessionExpiryIndex)inner;

    private IQuotaStore Quota => (IQuotaStore)inner;

    private IStoreLock Locks => (IStoreLock)inner;

    public Task CreateAsync(UploadSession session) =>
        TraceAsync("create", session.Id, () => inner.CreateAsync(session));

    public Task<UploadSession?> GetAsync(string id, string? tenant, CancellationToken cancellationToken) =>
        TraceAsync("get", id, () => inner.GetAsync(id, tenant, cancellationToken));

    public Task<PartBegin> BeginPartAsync(PartLease lease, long? declaredSize) =>
        TraceAsync("begin_part", lease.UploadId, () => inner.BeginPartAsync(lease, declaredSize));

    public Task RenewLeaseAsync(PartLease lease) =>
        TraceAsync("renew_lease", lease.UploadId, () => inner.RenewLeaseAsync(lease));

    public Task<PartEnd> EndPartAsync(PartLease lease, PartRecord? accepted) =>
        TraceAsync("end_part", lease.UploadId, () => inner.EndPartAsync(lease, accepted));

    public Task<IReadOnlyList<PartRecord>> ListPartsAsync(string id, CancellationToken cancellationToken) =>
        TraceAsync("list_parts", id, () => inner.ListPartsAsync(id, cancellationToken));

    public Task<Transition> ApplyAsync(string id, string? tenant, SessionTransition transition, SessionResult? result = null) =>
        TraceAsync("transition", id, () => inner.ApplyAsync(id, tenant, transition, result));

    public Task<SessionPage> ListAsync(string tenant, string? status, ListCursor? after, int limit, CancellationToken cancellationToken) =>
        TraceAsync("list", null, () => Listing.ListAsync(tenant, status, after, limit, cancellationToken));

    public Task<LiveSessions> ListLiveAsync(int max, CancellationToken cancellationToken) =>
        TraceAsync("list_live", null, () => inner.ListLiveAsync(max, cancellationToken));

    public Task<IReadOnlyList<string>> DueForExpiryAsync(int max, CancellationToken cancellationToken) =>
        TraceAsync("due_for_expiry", null, () => Expiry.DueForExpiryAsync(max, cancellationToken));

    public Task ForgetExpiryAsync(string id) =>
        TraceAsync("forget_expiry", id, () => Expiry.ForgetExpiryAsync(id));

    public Task<bool> TryReserveAsync(string scope, string id, long bytes, long limit, DateTimeOffset until) =>
        TraceAsync("reserve", id, () => Quota.TryReserveAsync(scope, id, bytes, limit, until));

    public Task ReleaseAsync(string scope, string id) =>
        TraceAsync("release", id, () => Quota.ReleaseAsync(scope, id));

    public Task<bool> TryTakePlaceAsync(string scope, string id, int places, DateTimeOffset until) =>
        TraceAsync("take_place", id, () => Quota.TryTakePlaceAsync(scope, id, places, until));

    public Task ReleasePlaceAsync(string scope, string id) =>
        TraceAsync("release_place", id, () => Quota.ReleasePlaceAsync(scope, id));

    public Task<bool> TryAcquireLockAsync(string name, string owner, TimeSpan ttl) =>
        TraceAsync("lock_acquire", null, () => Locks.TryAcquireLockAsync(name, owner, ttl));

    public Task ReleaseLockAsync(string name, string owner) =>
        TraceAsync("lock_release", null, () => Locks.ReleaseLockAsync(name, owner));

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) =>
        TraceAsync("ping", null, () => inner.IsReachableAsync(cancellationToken));

    private async Task TraceAsync(string operation, string? uploadId, Func<Task> call) =>
        await TraceAsync<object?>(operation, uploadId, async () =>
        {
            await call();
            return null;
        });

    private async Task<T> TraceAsync<T>(string operation, string? uploadId, Func<Task<T>> call)
    {
        using var activity = Start("store " + operation, ActivityKind.Internal, uploadId);
        activity?.SetTag(Tags.DbSystem, system);
        activity?.SetTag(Tags.DbOperation, operation);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call();
            metrics.StoreTook(Stopwatch.GetElapsedTime(started), system, operation, null);
            Succeed(activity);
            return result;
        }
        catch (Exception e)
        {
            var errorType = ErrorTypeOf(e);
            metrics.StoreTook(Stopwatch.GetElapsedTime(started), system, operation, errorType);
            Fail(activity, errorType);
            throw;
        }
    }
}
