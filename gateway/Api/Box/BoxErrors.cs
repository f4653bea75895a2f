using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Domain;
using Gateway.Telemetry;
using Microsoft.AspNetCore.Diagnostics;
using StackExchange.Redis;

namespace Gateway.Api.Box;

/// <summary>
/// One answer in Box's <c>ClientError</c> envelope, thrown by the front's handlers and written by
/// <see cref="BoxErrorWriter"/>: <c>{"type":"error","status","code","message","context_info","help_url","request_id"}</c>.
/// </summary>
internal sealed class BoxError(int status, string code, string message, JsonObject? contextInfo = null) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public JsonObject? ContextInfo { get; } = contextInfo;

    public TimeSpan? RetryAfter { get; init; }

    public string? UploadId { get; init; }
}

/// <summary>
/// The Box front's error table: Box's own codes where the API names one, the mock's where Box gives only a status
/// (mock-box/README.md, errors), and the gateway's errors mapped onto them.
/// </summary>
internal static class BoxErrors
{
    public static BoxError BadRequest(string message, string? parameter = null) =>
        new(400, "bad_request", message, parameter is null ? null : new JsonObject
        {
            ["errors"] = new JsonArray(new JsonObject { ["reason"] = "invalid_parameter", ["name"] = parameter, ["message"] = message }),
        });

    public static BoxError NotFound(string message = "Could not find the specified upload session") => new(404, "not_found", message);

    public static BoxError FolderNotAccessible(string message) => new(404, "invalid_parameter", message);

    public static BoxError InvalidUploadSessionId() => new(400, "invalid_upload_session_id", "Upload session id is not valid");

    public static BoxError MissingDigest() => new(400, "missing_digest", "The Digest header is required (sha=<base64 SHA-1>)");

    public static BoxError InvalidDigest() => new(400, "invalid_digest", "The Digest header must be sha=<base64 of a 20-byte SHA-1>");

    public static BoxError InvalidContentRange() =>
        new(416, "invalid_content_range", "Content-Range must be 'bytes <first>-<last>/<file_size>' with first <= last < file_size");

    public static BoxError RangeTotalMismatch(long fileSize) =>
        new(416, "range_total_mismatch", $"The total in Content-Range must be the session's file size {fileSize}");

    public static BoxError RangeNotPartAligned(long partSize) =>
        new(416, "range_not_part_aligned", $"The first byte of a part must be a multiple of the part size {partSize}");

    public static BoxError RangeSizeMismatch(long expected) =>
        new(416, "range_size_mismatch", $"This part must be exactly {expected} bytes (part_size, or the rest of the file for the last part)");

    public static BoxError RequestSizeMismatch(string message) => new(400, "request_size_mismatch", message);

    public static BoxError SessionExpired() => new(410, "session_expired", "The upload session has expired");

    public static BoxError UploadFailed() => new(410, "upload_failed", "The upload session failed and cannot be recovered; create a new one");

    public static BoxError OperationBlocked() => new(409, "operation_blocked_temporarily", "The upload session is being committed; retry shortly")
    {
        RetryAfter = TimeSpan.FromSeconds(1),
    };

    public static BoxError PartsMismatch(string why) => new(400, "parts_mismatch", "The parts list does not match the uploaded parts: " + why);

    public static BoxError UploadIncomplete(int stored, int total) => new(400, "upload_incomplete", $"Only {stored} of {total} parts have been uploaded");

    /// <summary>Answers the framework writes without a body of their own: auth, routing, the rate limiter.</summary>
    public static BoxError ForStatus(int status) => status switch
    {
        401 => new(401, "unauthorized", "Unauthorized"),
        403 => new(403, "forbidden", "Forbidden"),
        404 => new(404, "not_found", "Not Found"),
        405 => new(405, "method_not_allowed", "Method Not Allowed"),
        413 => new(413, "request_entity_too_large", "Request entity too large"),
        429 => new(429, "rate_limit_exceeded", "Request rate limit exceeded, please try again later"),
        503 => new(503, "unavailable", "Unavailable"),
        >= 500 => new(status, "internal_server_error", "Internal Server Error"),
        _ => new(status, "bad_request", "Bad Request"),
    };

    /// <summary>A core error in Box's words; <paramref name="operation"/> picks between codes Box splits by call (a digest at part or at commit).</summary>
    public static BoxError From(GatewayException e, BoxOperation operation = BoxOperation.Other)
    {
        var error = e.Error;
        var (status, code) = error.Code switch
        {
            _ when error == ErrorCode.Unauthorized => (401, "unauthorized"),
            _ when error == ErrorCode.NotFound => (404, "not_found"),
            _ when error == ErrorCode.InvalidTarget || error == ErrorCode.UnknownBackend =>
                operation == BoxOperation.Create ? (404, "invalid_parameter") : (400, "bad_request"),
            _ when error == ErrorCode.PartSizeMismatch => (400, "request_size_mismatch"),
            _ when error == ErrorCode.ChecksumMismatch => operation == BoxOperation.Commit ? (400, "digest_mismatch") : (400, "bad_digest"),
            _ when error == ErrorCode.ChecksumRequired => (400, "missing_digest"),
            _ when error == ErrorCode.PartConflict => (416, "range_overlaps_existing_part"),
            _ when error == ErrorCode.PartsMissing => (400, "upload_incomplete"),
            _ when error == ErrorCode.Conflict => (409, "item_name_in_use"),
            _ when error == ErrorCode.InvalidState => (409, "operation_blocked_temporarily"),
            _ when error == ErrorCode.UploadTooLarge => (413, "request_entity_too_large"),
            _ when error == ErrorCode.QuotaExceeded => (403, "storage_limit_exceeded"),
            _ when error == ErrorCode.ConcurrencyLimit || error == ErrorCode.RateLimited => (429, "rate_limit_exceeded"),
            _ when error == ErrorCode.Expired => (410, "session_expired"),
            _ when error == ErrorCode.BackendUnavailable || error == ErrorCode.StoreUnavailable => (503, "unavailable"),
            _ when error == ErrorCode.BackendError => (502, "bad_gateway"),
            // Box has no words for a deployment's pre-create hook: its status, and the gateway's code in Box's envelope.
            _ when error == ErrorCode.HookRejected => (403, error.Code),
            _ when error == ErrorCode.HookUnavailable => (503, error.Code),
            _ when error == ErrorCode.Forbidden => (403, "forbidden"),
            _ when error == ErrorCode.MethodNotAllowed => (405, "method_not_allowed"),
            _ when error == ErrorCode.Internal => (500, "internal_server_error"),
            _ => (error.Status, "bad_request"),
        };
        return new BoxError(status, code, e.Message) { RetryAfter = e.RetryAfter, UploadId = e.UploadId };
    }
}

/// <summary>The calls whose errors Box names differently.</summary>
internal enum BoxOperation
{
    Other,
    Create,
    Part,
    Commit,
}

/// <summary>Writes <see cref="BoxError"/>s, recording each like every front's problem (span tags, metrics, recent errors).</summary>
internal static class BoxErrorWriter
{
    /// <summary>The spec's example <c>help_url</c>.</summary>
    public const string HelpUrl = "https://developer.box.com/guides/api-calls/permissions-and-errors/common-errors/";

    public static async Task WriteAsync(HttpContext context, BoxError error)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return;
        }
        var requestId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        ProblemTelemetry.Record(context, new ErrorCode(error.Code, error.Status, error.Code), error.Message, error.UploadId ?? context.Request.RouteValues["id"] as string);
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        if (error.RetryAfter is { } wait)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
        if (error.Status == StatusCodes.Status401Unauthorized)
        {
            // RFC 6750 §3.1, as Box sends it: no error attribute when no credentials came.
            response.Headers.WWWAuthenticate = context.Request.Headers.Authorization.Count == 0
                ? "Bearer realm=\"Service\""
                : "Bearer realm=\"Service\", error=\"invalid_token\", error_description=\"The access token provided is invalid.\"";
        }
        await using var json = new Utf8JsonWriter(response.Body);
        json.WriteStartObject();
        json.WriteString("type", "error");
        json.WriteNumber("status", error.Status);
        json.WriteString("code", error.Code);
        json.WriteString("message", error.Message);
        json.WritePropertyName("context_info");
        if (error.ContextInfo is null)
        {
            json.WriteNullValue();
        }
        else
        {
            error.ContextInfo.WriteTo(json);
        }
        json.WriteString("help_url", HelpUrl);
        json.WriteString("request_id", requestId);
        json.WriteEndObject();
    }

    public static bool IsBoxRequest(HttpContext context) => context.Request.Path.StartsWithSegments(BoxApi.Prefix);
}

/// <summary>Every exception on a Box route as Box's envelope; registered ahead of the v1 handler, which takes the rest.</summary>
internal sealed class BoxExceptionHandler(ILogger<BoxExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (!BoxErrorWriter.IsBoxRequest(context))
        {
            return false;
        }
        var error = exception switch
        {
            BoxError box => box,
            GatewayException known => BoxErrors.From(known),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                new BoxError(413, "request_entity_too_large", "The request body is larger than this route accepts."),
            BadHttpRequestException bad => new BoxError(bad.StatusCode, "bad_request", bad.Message),
            JsonException => BoxErrors.BadRequest("The request body is not valid JSON"),
            RedisConnectionException or RedisTimeoutException =>
                new BoxError(503, "unavailable", "The session store cannot be reached; retry shortly.") { RetryAfter = TimeSpan.FromSeconds(1) },
            HttpRequestException or TaskCanceledException =>
                new BoxError(503, "unavailable", "The backend cannot be reached; retry shortly.") { RetryAfter = TimeSpan.FromSeconds(1) },
            _ => null,
        };
        if (error is null)
        {
            Log.UnhandledException(logger, context.Request.Method, context.Request.Path, exception);
            error = new BoxError(500, "internal_server_error", "The gateway failed unexpectedly; the error has been logged.");
        }
        else
        {
            Log.RequestFailed(logger, error.Status, error.Code, error.Message);
        }
        await BoxErrorWriter.WriteAsync(context, error);
        return true;
    }
}

/// <summary>
/// The bodiless answers on Box routes (401 from auth, 404 and 405 from routing, 429 from the rate limiter) in
/// Box's envelope; registered ahead of the v1 writer, which writes every other route's.
/// </summary>
internal sealed class BoxProblemWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => BoxErrorWriter.IsBoxRequest(context.HttpContext);

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        // A 429's Retry-After is the rate limiter's, already set.
        var http = context.HttpContext;
        return new ValueTask(BoxErrorWriter.WriteAsync(http, BoxErrors.ForStatus(context.ProblemDetails.Status ?? http.Response.StatusCode)));
    }
}
