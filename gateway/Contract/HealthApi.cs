using Gateway.Backends;
using Gateway.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Contract;

/// <summary><c>/healthz</c> (the process answers) and <c>/readyz</c> (the store and every backend are reachable). No auth.</summary>
internal static class HealthApi
{
    public static void MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => TypedResults.Ok(new HealthBody("ok"))).AllowAnonymous().DisableRateLimiting();
        endpoints.MapGet("/readyz", ReadyAsync).AllowAnonymous().DisableRateLimiting();
    }

    private static async Task<Results<Ok<HealthBody>, JsonHttpResult<HealthBody>>> ReadyAsync(ISessionStore store, BackendRegistry backends, CancellationToken cancellationToken)
    {
        var checks = new List<(string Name, Task<bool> Reachable)> { ("store", store.IsReachableAsync(cancellationToken)) };
        checks.AddRange(backends.All.Select(b => ("backend:" + b.Name, b.IsReachableAsync(cancellationToken))));
        await Task.WhenAll(checks.Select(c => c.Reachable));
        var results = checks.ToDictionary(c => c.Name, c => c.Reachable.Result ? "ok" : "unreachable");
        var ready = results.Values.All(v => v == "ok");
        var body = new HealthBody(ready ? "ok" : "unavailable", results);
        return ready ? TypedResults.Ok(body) : TypedResults.Json(body, ContractJsonContext.Default.HealthBody, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
