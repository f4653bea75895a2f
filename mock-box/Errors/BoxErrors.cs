using System.Text.Json.Nodes;

namespace MockBox.Errors;

/// <summary>
/// Every error the mock answers with, one row each: status, code, message. Codes documented by Box are
/// cited from README.md; the few the mock had to choose are marked "mock's choice" (see README.md).
/// </summary>
internal static class BoxErrors
{
    // --- generic (README.md "Error envelope"; the spec's generic code list) ---

    public static BoxError Unauthorized() => new(401, "unauthorized", "Unauthorized");

    public static BoxError NotFound(string what = "Not Found") => new(404, "not_found", what);

    public static BoxError MethodNotAllowed() => new(405, "method_not_allowed", "Method Not Allowed");

    public static BoxError InternalServerError() => new(500, "internal_server_error", "Internal Server Error");

    /// <summary>Box's shape for a bad parameter: <c>bad_request</c> with the parameter under <c>context_info.errors</c>.</summary>
    public static BoxError BadRequest(string message, string? parameter = null) =>
        new(400, "bad_request", message, parameter is null ? null : new JsonObject
        {
            ["errors"] = new JsonArray(new JsonObject
            {
                ["reason"] = "invalid_parameter",
                ["name"] = parameter,
                ["message"] = message,
            }),
        });

    /// <summary>Status codes the framework produces without a body (e.g. a 400 from binding) still get the envelope.</summary>
    public static BoxError ForStatus(int status) => status switch
    {
        400 => new(400, "bad_request", "Bad Request"),
        401 => Unauthorized(),
        404 => NotFound(),
        405 => MethodNotAllowed(),
        413 => RequestEntityTooLarge("Request entity too large"),
        415 => new(415, "unsupported_media_type", "Unsupported Media Type"),
        _ when status >= 500 => new(status, status == 503 ? "unavailable" : "internal_server_error", "Internal Server Error"),
        _ => new(status, "bad_request", "Bad Request"),
    };

    // --- create session (README.md operation 1 and 2) ---

    public static BoxError MissingDestination() => new(400, "missing_destination", "folder_id is required");

    public static BoxError InvalidFolderId() => new(400, "invalid_folder_id", "folder_id is not a valid folder id");

    public static BoxError MissingFileSize() => new(400, "missing_file_size", "file_size is required");

    public static BoxError InvalidFileSize() => new(400, "invalid_file_size", "file_size must be a positive whole number of bytes");

    public static BoxError FileSizeTooSmall(long minimum) =>
        new(400, "file_size_too_small", $"File size is less than minimum allowed for this API: {minimum}");

    public static BoxError MissingFileName() => new(400, "missing_file_name", "file_name is required");

    public static BoxError ItemNameInvalid(string why) => new(400, "item_name_invalid", "Item name invalid: " + why);

    /// <summary>README.md: 404 <c>invalid_parameter</c> when the folder is missing or not accessible.</summary>
    public static BoxError FolderNotFound() => new(404, "invalid_parameter", "Invalid value for parameter folder_id: the folder does not exist or is not accessible");

    /// <summary>README.md: 409 <c>item_name_in_use</c>, the existing item under <c>context_info.conflicts</c>.</summary>
    public static BoxError ItemNameInUse(JsonObject conflict) =>
        new(409, "item_name_in_use", "Item with the same name already exists", new JsonObject { ["conflicts"] = conflict });

    // --- any session-scoped operation (README.md common errors) ---

    public static BoxError InvalidUploadSessionId() => new(400, "invalid_upload_session_id", "Upload session id is not valid");

    public static BoxError SessionNotFound() => NotFound("Could not find the specified upload session");

    public static BoxError SessionExpired() => new(410, "session_expired", "The upload session has expired");

    public static BoxError Forbidden() => new(403, "forbidden", "Only the user who created the upload session may use it");

    /// <summary>Box's 409 for an operation racing another one on the same item; here: a commit still assembling.</summary>
    public static BoxError OperationBlocked() =>
        new(409, "operation_blocked_temporarily", "The upload session is being committed; retry shortly");

    // --- upload part (README.md operation 4) ---

    public static BoxError MissingDigest() => new(400, "missing_digest", "The Digest header is required (sha=<base64 SHA-1>)"); // mock's choice

    public static BoxError InvalidDigest() => new(400, "invalid_digest", "The Digest header must be sha=<base64 of a 20-byte SHA-1>"); // mock's choice

    public static BoxError BadDigest() => new(400, "bad_digest", "The digest of the part does not match the Digest header");

    public static BoxError InvalidContentRange() =>
        new(416, "invalid_content_range", "Content-Range must be 'bytes <first>-<last>/<file_size>' with first <= last < file_size"); // mock's choice

    public static BoxError RangeTotalMismatch(long fileSize) =>
        new(416, "range_total_mismatch", $"The total in Content-Range must be the session's file size {fileSize}"); // mock's choice

    public static BoxError RangeNotPartAligned(long partSize) =>
        new(416, "range_not_part_aligned", $"The first byte of a part must be a multiple of the part size {partSize}"); // mock's choice

    public static BoxError RangeSizeMismatch(long expected) =>
        new(416, "range_size_mismatch", $"This part must be exactly {expected} bytes (part_size, or the rest of the file for the last part)"); // mock's choice

    public static BoxError RangeOverlapsExistingPart() =>
        new(416, "range_overlaps_existing_part", "Part overlaps with previously uploaded part");

    public static BoxError RequestEntityTooLarge(string message) => new(413, "request_entity_too_large", message);

    /// <summary>Box's code for a body that does not match its announced size (seen on Box in the wild).</summary>
    public static BoxError RequestSizeMismatch(long expected, long? received) =>
        new(400, "request_size_mismatch", received is { } size
            ? $"Request body size {size} didn't match the Content-Range size {expected}"
            : $"Request body size didn't match the Content-Range size {expected}");

    // --- list parts (README.md operation 6) ---

    public static BoxError InvalidQueryParameter(string name, string message) => BadRequest(message, name);

    // --- commit (README.md operation 7) ---

    public static BoxError DigestMismatch(string expected, string actual) =>
        new(400, "digest_mismatch", $"File digest was incorrect. Actual: {actual} Expected: {expected}");

    public static BoxError PartsMismatch(string why) => new(400, "parts_mismatch", "The parts list does not match the uploaded parts: " + why); // mock's choice

    public static BoxError UploadIncomplete(int stored, int total) =>
        new(400, "upload_incomplete", $"Only {stored} of {total} parts have been uploaded"); // mock's choice

    public static BoxError PreconditionFailed() => new(412, "precondition_failed", "The resource has been modified. Please retrieve the resource again and retry");
}
