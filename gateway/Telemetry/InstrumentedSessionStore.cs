using System.Diagnostics;
using Gateway.Sessions;
using static Gateway.Telemetry.GatewayTelemetry;

namespace Gateway.Telemetry;

/// <summary>
/// Every store call as a span (<c>store {operation}</c>) and a <c>gateway.store.operation.duration</c>
/// measurement, failures with their <c>error.type</c>. Registered by Telemetry over whichever store Sessions chose, so
/// the Redis and in-memory stores read alike on a dashboard.
/// </summary>
/// <param name="system"><c>db.system.name</c>: "redis", or "memory" for the embedded store.</param>
internal sealed class InstrumentedSessionStore(ISessionStore inner, GatewayMetrics metrics, string system) : ISessionStore
{
    public Task CreateAsync(UploadSession session, CancellationToken cancellationToken) =>
        TraceAsync("create", session.Id, () => inner.CreateAsync(session, cancellationToken));

    public Task<UploadSession?> GetAsync(string id, string? tenant, CancellationToken cancellationToken) =>
        TraceAsync("get", id, () => inner.GetAsync(id, tenant, cancellationToken));

    public Task<PartBegin> BeginPartAsync(PartLease lease, long? declaredSize, CancellationToken cancellationToken) =>
        TraceAsync("begin_part", lease.UploadId, () => inner.BeginPartAsync(lease, declaredSize, cancellationToken));

    public Task RenewLeaseAsync(PartLease lease, CancellationToken cancellationToken) =>
        TraceAsync("renew_lease", lease.UploadId, () => inner.RenewLeaseAsync(lease, cancellationToken));

    public Task<PartEnd> EndPartAsync(PartLease lease, PartRecord? accepted, CancellationToken cancellationToken) =>
        TraceAsync("end_part", lease.UploadId, () => inner.EndPartAsync(lease, accepted, cancellationToken));

    public Task<IReadOnlyList<PartRecord>> ListPartsAsync(string id, CancellationToken cancellationToken) =>
        TraceAsync("list_parts", id, () => inner.ListPartsAsync(id, cancellationToken));

    public Task<Transition> TransitionAsync(string id, string? tenant, IReadOnlyCollection<string> from, string to,
        SessionResult? result, bool requireAllParts, CancellationToken cancellationToken) =>
        TraceAsync("transition", id, () => inner.TransitionAsync(id, tenant, from, to, result, requireAllParts, cancellationToken));

    public Task<SessionPage> ListAsync(string tenant, string? status, ListCursor? after, int limit, CancellationToken cancellationToken) =>
        TraceAsync("list", null, () => inner.ListAsync(tenant, status, after, limit, cancellationToken));

    public Task<LiveSessions> ListLiveAsync(int max, CancellationToken cancellationToken) =>
        TraceAsync("list_live", null, () => inner.ListLiveAsync(max, cancellationToken));

    public Task<IReadOnlyList<string>> DueForExpiryAsync(int max, CancellationToken cancellationToken) =>
        TraceAsync("due_for_expiry", null, () => inner.DueForExpiryAsync(max, cancellationToken));

    public Task ForgetExpiryAsync(string id, CancellationToken cancellationToken) =>
        TraceAsync("forget_expiry", id, () => inner.ForgetExpiryAsync(id, cancellationToken));

    public Task<bool> TryReserveAsync(string scope, string id, long bytes, long limit, DateTimeOffset until, CancellationToken cancellationToken) =>
        TraceAsync("reserve", id, () => inner.TryReserveAsync(scope, id, bytes, limit, until, cancellationToken));

    public Task ReleaseAsync(string scope, string id, CancellationToken cancellationToken) =>
        TraceAsync("release", id, () => inner.ReleaseAsync(scope, id, cancellationToken));

    public Task<long> ReservedAsync(string scope, CancellationToken cancellationToken) =>
        TraceAsync("reserved", null, () => inner.ReservedAsync(scope, cancellationToken));

    public Task<bool> TryAcquireLockAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken) =>
        TraceAsync("lock_acquire", null, () => inner.TryAcquireLockAsync(name, owner, ttl, cancellationToken));

    public Task ReleaseLockAsync(string name, string owner, CancellationToken cancellationToken) =>
        TraceAsync("lock_release", null, () => inner.ReleaseLockAsync(name, owner, cancellationToken));

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
        using var activity = Start("store " + operation, ActivityKind.Client, uploadId);
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
