using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Sessions;

namespace Gateway.Limits;

/// <summary>
/// Staging quota (README.md, limits): bytes reserved by live sessions, per tenant and in the scopes the backend names (per sandbox). A session
/// reserves its whole <c>content_length</c> at create and releases it when it ends; each reservation lapses at
/// the session's expiry in the store itself, so none outlives its session even if an instance crashes.
/// </summary>
internal sealed class StagingQuota(IQuotaStore store)
{
    public static string TenantScope(string tenant) => "tenant:" + tenant;

    /// <summary>Reserves in every scope or in none; returns the scopes held.</summary>
    public async Task<IReadOnlyList<string>> ReserveAsync(Tenant tenant, IUploadBackend backend, UploadTarget target, string uploadId,
        long bytes, DateTimeOffset until)
    {
        var taken = new List<string>();
        foreach (var (scope, limit, what) in Scopes(tenant, backend, target))
        {
            if (!await store.TryReserveAsync(scope, uploadId, bytes, limit, until))
            {
                await ReleaseAsync(taken, uploadId);
                throw new GatewayException(ErrorCode.QuotaExceeded,
                    $"{bytes} more bytes would take {what} over its staging quota of {limit} bytes; complete or abort other uploads first.");
            }
            taken.Add(scope);
        }
        return taken;
    }

    public async Task ReleaseAsync(IEnumerable<string> scopes, string uploadId)
    {
        foreach (var scope in scopes)
        {
            await store.ReleaseAsync(scope, uploadId);
        }
    }

    private static IEnumerable<QuotaScope> Scopes(Tenant tenant, IUploadBackend backend, UploadTarget target)
    {
        // 0 means no gateway-side limit for that scope.
        if (tenant.Limits.StagingQuotaBytes > 0)
        {
            yield return new QuotaScope(TenantScope(tenant.Name), tenant.Limits.StagingQuotaBytes, $"tenant {tenant.Name}");
        }
        foreach (var scope in backend.QuotaScopes(target))
        {
            yield return scope;
        }
    }
}
