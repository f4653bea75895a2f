using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Gateway.Domain;
using Gateway.Events;
using Gateway.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Gateway.Admin;

/// <summary>
/// Operators and the events an endpoint never accepted (docs/events.md): <c>GET
/// /v1/admin/webhooks/{endpoint}/dead-letters</c> lists them oldest first, <c>POST
/// …/dead-letters/{id}/replay</c> puts one back on its stream for that endpoint only, with its original
/// <c>webhook-id</c>. Authorization (the admin scope) is added at the call site.
/// </summary>
internal static partial class WebhooksAdminApi
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 500;

    public static RouteGroupBuilder MapWebhooksAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/v1/admin/webhooks/{endpoint}/dead-letters");
        api.MapGet("", ListAsync).WithSummary("Operators: an endpoint's dead letters (admin scope)")
            .Produces<DeadLettersBody>().ProducesProblem(StatusCodes.Status400BadRequest, "application/problem+json")
            .ProducesProblem(StatusCodes.Status404NotFound, "application/problem+json");
        api.MapPost("/{id}/replay", ReplayAsync).WithSummary("Operators: deliver a dead letter again (admin scope)")
            .Produces(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound, "application/problem+json");
        return api;
    }

    private static async Task<JsonHttpResult<DeadLettersBody>> ListAsync(
        string endpoint, HttpContext context, IEventLog events, IOptions<WebhookOptions> options)
    {
        Known(endpoint, options.Value);
        var query = context.Request.Query;
        var limit = Limit(query["limit"].ToString());
        var after = query["after"].ToString() is { Length: > 0 } cursor ? Id(cursor, "after") : null;
        var letters = await events.ListDeadLettersAsync(endpoint, after, limit + 1, context.RequestAborted);
        var total = await events.CountDeadLettersAsync(endpoint, context.RequestAborted);
        var page = letters.Take(limit).Select(DeadLetterItem.From).ToList();
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(
            new DeadLettersBody(endpoint, total, page, letters.Count > limit ? page[^1].Id : null),
            WebhooksAdminJsonContext.Default.DeadLettersBody);
    }

    private static async Task<Accepted> ReplayAsync(
        string endpoint, string id, IEventLog events, IOptions<WebhookOptions> options, ILogger<DeadLetterItem> logger)
    {
        Known(endpoint, options.Value);
        if (!await events.ReplayDeadLetterAsync(endpoint, Id(id, "id")))
        {
            throw new GatewayException(ErrorCode.NotFound, $"Endpoint {endpoint} has no dead letter {id}.");
        }
        Log.DeadLetterReplayed(logger, id, endpoint);
        return TypedResults.Accepted((string?)null);
    }

    private static void Known(string endpoint, WebhookOptions options)
    {
        if (!options.Endpoints.ContainsKey(endpoint))
        {
            throw new GatewayException(ErrorCode.NotFound, "No webhook endpoint of that name is configured.");
        }
    }

    private static string Id(string text, string name) =>
        StreamId().IsMatch(text) ? text : throw new GatewayException(ErrorCode.InvalidRequest, $"{name} must be a dead letter id such as 1733100000000-0.");

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

    [GeneratedRegex(@"^[0-9]{1,20}-[0-9]{1,20}$")]
    private static partial Regex StreamId();
}

/// <param name="NextCursor">Pass as <c>after</c> for the next page; null on the last.</param>
internal sealed record DeadLettersBody(string Endpoint, long Total, IReadOnlyList<DeadLetterItem> DeadLetters, string? NextCursor);

/// <summary>A dead letter as an operator sees it: which event, whose upload, why it was given up on.</summary>
internal sealed record DeadLetterItem(
    string Id, string EventId, string Type, string UploadId, string Tenant, string Status, DateTime OccurredAt, string Reason, int Attempts, DateTime FailedAt)
{
    public static DeadLetterItem From(DeadLetter d) => new(
        d.Id, d.Event.EventId, d.Event.Type, d.Event.Session.Id, d.Event.Session.Tenant, d.Event.Session.Status,
        d.Event.At.UtcDateTime, d.Reason, d.Attempts, d.FailedAt.UtcDateTime);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(DeadLettersBody))]
internal sealed partial class WebhooksAdminJsonContext : JsonSerializerContext;
