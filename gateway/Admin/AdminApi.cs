using System.Globalization;
using Gateway.Domain;
using Gateway.Sessions;
using Gateway.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Admin;

/// <summary>
/// <c>GET /v1/admin/uploads</c>: the operator's live view of every tenant's uploads. Authorization (the
/// <c>uploads:admin</c> scope) is added at the call site, as for the contract's endpoints.
/// </summary>
internal static class AdminApi
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 500;

    public static RouteGroupBuilder MapAdminApiV1(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/v1/admin");
        api.MapGet("/uploads", ListUploadsAsync).WithSummary("Operators: every tenant's live sessions (admin scope)")
            .Produces<AdminUploadsBody>().ProducesProblem(StatusCodes.Status400BadRequest, "application/problem+json")
            .ProducesProblem(StatusCodes.Status401Unauthorized, "application/problem+json").ProducesProblem(StatusCodes.Status403Forbidden, "application/problem+json");
        return api;
    }

    private static async Task<JsonHttpResult<AdminUploadsBody>> ListUploadsAsync(
        HttpContext context, ISessionStore store, RecentErrors errors, TimeProvider time)
    {
        var limit = Limit(context.Request.Query["limit"].ToString());
        var live = await store.ListLiveAsync(limit, context.RequestAborted);
        var now = time.GetUtcNow();
        var body = new AdminUploadsBody(
            now.UtcDateTime,
            live.Total,
            [.. live.Sessions.OrderByDescending(s => s.CreatedAt).Select(s => AdminSession.From(s, now))],
            [.. errors.Latest().Select(AdminError.From)]);
        // Progress changes by the second: nothing in between may keep a copy.
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(body, AdminJsonContext.Default.AdminUploadsBody);
    }

    private static int Limit(string text)
    {
        if (text.Length == 0)
        {
            return DefaultLimit;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= MaxLimit
            ? limit
            : throw new GatewayException(ErrorCode.InvalidRequest, $"limit must be a whole number from 1 to {MaxLimit}.");
    }
}
