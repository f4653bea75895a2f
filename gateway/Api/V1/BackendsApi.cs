using Gateway.Auth;
using Gateway.Backends;
using Gateway.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Api.V1;

/// <summary><c>GET /v1/backends</c>: the backends this caller may use, with their rules.</summary>
internal static class BackendsApi
{
    public static RouteHandlerBuilder MapBackendsApiV1(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/v1/backends", List).WithSummary("The backends this caller may use, with their rules").Problems(401, 429);

    private static Ok<BackendsBody> List(Tenant tenant, BackendRegistry backends)
    {
        var limits = tenant.Limits;
        return TypedResults.Ok(new BackendsBody([.. backends.All
            .Where(b => tenant.MayUse(b.Name))
            .Select(b => new BackendInfo(
                b.Name,
                b.Rules.Type,
                b.Rules.Kinds,
                b.Rules.Conflicts,
                b.Rules.TargetFields,
                b.Rules.Checksums,
                b.Rules.MinUploadBytes,
                new SessionLimits(limits.MaxUploadBytes, limits.MaxPartBytes, Math.Min(limits.MaxConcurrency, b.Rules.MaxConcurrency), limits.StagingQuotaBytes),
                (long)limits.SessionTtl.TotalSeconds))]));
    }
}
