using System.Text.Json.Nodes;
using Gateway.Domain;

namespace Gateway.Api.Box;

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
            // Box's word for "too many, later" (its SDKs back off and retry); the detail names the gateway's cap.
            _ when error == ErrorCode.ConcurrencyLimit || error == ErrorCode.RateLimited || error == ErrorCode.TooManyUploads => (429, "rate_limit_exceeded"),
            _ when error == ErrorCode.Expired => (410, "session_expired"),
            _ when error == ErrorCode.BackendUnavailable || error == ErrorCode.StoreUnavailable || error == ErrorCode.StorageFull => (503, "unavailable"),
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
