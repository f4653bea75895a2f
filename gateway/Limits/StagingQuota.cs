using System.Text;
using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;
using Microsoft.Extensions.Options;

namespace Gateway.Limits;

/// <summary>
/// What a tenant holds at once (README.md, limits), reserved at create and released when a session ends: its staging
/// quota in bytes, per tenant and in the scopes the backend names (per sandbox), and its caps on live sessions and
/// on tus partial uploads, each a place in a counted scope (<see cref="IQuotaStore.TryTakePlaceAsync"/>). Every one lapses at its session's expiry in the store
/// itself (<see cref="IQuotaStore"/>: one Lua script per scope on Redis, atomic across instances), so none
/// outlives its session even if an instance crashes half-way.
/// </summary>
internal sealed class StagingQuota(IQuotaStore store, IOptions<LimitsOptions> options)
{
    public static string TenantScope(string tenant) => "tenant:" + tenant;

    /// <summary>The tenant's live sessions: one reservation each, so the scope's total is their count.</summary>
    public static string LiveSessionsScope(string tenant) => LiveSessionsPrefix + tenant;

    public static string PartialsScope(string tenant) => PartialsPrefix + tenant;

    private const string LiveSessionsPrefix = "sessions:";
    private const string PartialsPrefix = "partials:";

    /// <summary>
    /// What a session is charged in its tenant's quota: its bytes, and at least its metadata and a fixed overhead, so
    /// a thousand empty sessions with kilobytes of metadata cost what they take on disk and in Redis.
    /// </summary>
    public long Charge(long bytes, long metadataBytes) => Math.Max(bytes, metadataBytes + options.Value.SessionOverheadBytes);

    /// <summary>The bytes of what a session keeps about itself: its target and the front's metadata (tus <c>Upload-Metadata</c>).</summary>
    public static long MetadataBytes(UploadTarget target, IReadOnlyDictionary<string, string>? metadata) =>
        Encoding.UTF8.GetByteCount(target.Json)
        + (metadata?.Sum(m => Encoding.UTF8.GetByteCount(m.Key) + Encoding.UTF8.GetByteCount(m.Value ?? "")) ?? 0);

    /// <summary>Reserves a session's place under the tenant's cap and its bytes in every scope, or nothing; returns the scopes held.</summary>
    public Task<IReadOnlyList<string>> ReserveAsync(Tenant tenant, IUploadBackend backend, UploadTarget target, string uploadId,
        long bytes, long metadataBytes, DateTimeOffset until) =>
        ReserveAllAsync(uploadId, until, SessionScopes(tenant, backend, target, bytes, metadataBytes));

    /// <summary>Reserves a tus partial upload's place under the tenant's cap and its charge in the tenant's quota, or nothing.</summary>
    public Task<IReadOnlyList<string>> ReservePartialAsync(Tenant tenant, string partialId, long bytes, long metadataBytes, DateTimeOffset until) =>
        ReserveAllAsync(partialId, until, PartialScopes(tenant, bytes, metadataBytes));

    /// <summary>Releases what a tus partial upload holds (both its scopes, whichever it took).</summary>
    public Task ReleasePartialAsync(string tenant, string partialId) => ReleaseAsync([PartialsScope(tenant), TenantScope(tenant)], partialId);

    public async Task ReleaseAsync(IEnumerable<string> scopes, string uploadId)
    {
        foreach (var scope in scopes)
        {
            await (IsPlaces(scope) ? store.ReleasePlaceAsync(scope, uploadId) : store.ReleaseAsync(scope, uploadId));
        }
    }

    /// <summary>The caps' scopes count places (one sorted set), the rest reserve bytes: each scope's name says which.</summary>
    private static bool IsPlaces(string scope) =>
        scope.StartsWith(LiveSessionsPrefix, StringComparison.Ordinal) || scope.StartsWith(PartialsPrefix, StringComparison.Ordinal);

    private async Task<IReadOnlyList<string>> ReserveAllAsync(string id, DateTimeOffset until, IEnumerable<Reservation> reservations)
    {
        var taken = new List<string>();
        foreach (var (scope, amount, limit, refusal) in reservations)
        {
            var held = IsPlaces(scope)
                ? await store.TryTakePlaceAsync(scope, id, (int)limit, until)
                : await store.TryReserveAsync(scope, id, amount, limit, until);
            if (!held)
            {
                await ReleaseAsync(taken, id);
                throw refusal();
            }
            taken.Add(scope);
        }
        return taken;
    }

    private IEnumerable<Reservation> SessionScopes(Tenant tenant, IUploadBackend backend, UploadTarget target, long bytes, long metadataBytes)
    {
        // The cap first: a tenant at its cap is told so, whatever its bytes. 0 means no gateway-side limit.
        var cap = tenant.Limits.MaxLiveSessions ?? options.Value.MaxLiveSessions;
        if (cap > 0)
        {
            yield return new Reservation(LiveSessionsScope(tenant.Name), 1, cap, () => TooMany(tenant, cap, "live uploads", "max_live_sessions",
                "complete or abort one first"));
        }
        if (tenant.Limits.StagingQuotaBytes > 0)
        {
            yield return TenantBytes(tenant, Charge(bytes, metadataBytes));
        }
        foreach (var scope in backend.QuotaScopes(target))
        {
            yield return new Reservation(scope.Scope, bytes, scope.Limit, () => OverQuota(bytes, scope.What, scope.Limit));
        }
    }

    private IEnumerable<Reservation> PartialScopes(Tenant tenant, long bytes, long metadataBytes)
    {
        var cap = tenant.Limits.MaxPartialUploads ?? options.Value.MaxPartialUploads;
        if (cap > 0)
        {
            yield return new Reservation(PartialsScope(tenant.Name), 1, cap, () => TooMany(tenant, cap, "tus partial uploads", "max_partial_uploads",
                "concatenate or delete some first"));
        }
        if (tenant.Limits.StagingQuotaBytes > 0)
        {
            yield return TenantBytes(tenant, Charge(bytes, metadataBytes));
        }
    }

    private static Reservation TenantBytes(Tenant tenant, long charge) =>
        new(TenantScope(tenant.Name), charge, tenant.Limits.StagingQuotaBytes, () => OverQuota(charge, $"tenant {tenant.Name}", tenant.Limits.StagingQuotaBytes));

    private static GatewayException OverQuota(long bytes, string what, long limit) =>
        new(ErrorCode.QuotaExceeded, $"{bytes} more bytes would take {what} over its staging quota of {limit} bytes; complete or abort other uploads first.");

    private static GatewayException TooMany(Tenant tenant, int cap, string what, string limit, string advice) =>
        new(ErrorCode.TooManyUploads, $"Tenant {tenant.Name} already has {cap} {what}, its limit ({limit}); {advice}.")
        {
            Extensions = new Dictionary<string, object?> { ["limit"] = limit, ["max"] = cap },
        };

    private readonly record struct Reservation(string Scope, long Amount, long Limit, Func<GatewayException> Refusal);
}
