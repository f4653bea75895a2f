using System.Text.Json.Nodes;

namespace MockSandbox.Errors;

/// <summary>
/// One error as the sandbox API reports it. The factories below are the spec's error table, row by row:
/// each code with its status [ours] and whether a client may retry.
/// </summary>
internal sealed record SandboxError(int Status, string Code, string Message, string? Hint = null, JsonObject? Details = null)
{
    /// <summary>
    /// 429s are retryable [ours]; so are server-side failures (5xx, 504 timeout), a body that arrived too slowly
    /// (408 timeout) and a sandbox that is not ready yet, since waiting fixes all of them. Everything else fails
    /// the same way when repeated.
    /// </summary>
    public bool Retryable => Status is StatusCodes.Status408RequestTimeout or StatusCodes.Status429TooManyRequests or >= 500
        || Code == SandboxErrorCodes.SandboxNotReady;

    public SandboxApiException AsException() => new(this);

    public static SandboxError InvalidRequest(string message, JsonObject? details = null) =>
        new(StatusCodes.Status400BadRequest, SandboxErrorCodes.InvalidRequest, message, Details: details);

    public static SandboxError InvalidFields(IReadOnlyList<FieldError> fields)
    {
        var list = new JsonArray();
        foreach (var field in fields)
        {
            list.Add(new JsonObject { ["field"] = field.Field, ["reason"] = field.Reason, ["message"] = field.Message });
        }
        var message = fields.Count == 1 ? fields[0].Message : $"{fields.Count} fields are invalid: " + string.Join("; ", fields.Select(f => f.Message));
        return new(StatusCodes.Status400BadRequest, SandboxErrorCodes.InvalidFields, message, Details: new JsonObject { ["fields"] = list });
    }

    public static SandboxError InvalidField(string field, string reason, string message) => InvalidFields([new FieldError(field, reason, message)]);

    public static SandboxError MissingApiKey() =>
        new(StatusCodes.Status401Unauthorized, SandboxErrorCodes.MissingApiKey, "No API key was sent.",
            Hint: "Send the API key in the Authorization header as a Bearer token.");

    public static SandboxError Unauthorized() =>
        new(StatusCodes.Status401Unauthorized, SandboxErrorCodes.Unauthorized, "The API key is not valid.");

    public static SandboxError NotFound(string message) =>
        new(StatusCodes.Status404NotFound, SandboxErrorCodes.NotFound, message);

    public static SandboxError SandboxNotFound(string sandboxId) =>
        new(StatusCodes.Status404NotFound, SandboxErrorCodes.SandboxNotFound, $"Sandbox {sandboxId} does not exist.");

    public static SandboxError SandboxNotReady(string sandboxId) =>
        new(StatusCodes.Status409Conflict, SandboxErrorCodes.SandboxNotReady, $"Sandbox {sandboxId} is not ready.",
            Hint: "Retry once the sandbox is running.");

    public static SandboxError Conflict(string message, JsonObject? details = null) =>
        new(StatusCodes.Status409Conflict, SandboxErrorCodes.Conflict, message, Details: details);

    public static SandboxError UploadConflict(string message, JsonObject? details = null) =>
        new(StatusCodes.Status409Conflict, SandboxErrorCodes.UploadConflict, message, Details: details);

    /// <summary>The one upload_conflict that is not a 409: a whole-object digest mismatch is 422 [ours].</summary>
    public static SandboxError ChecksumMismatch(string expected, string actual) =>
        new(StatusCodes.Status422UnprocessableEntity, SandboxErrorCodes.UploadConflict,
            "The assembled upload does not match the expected SHA-256; the session has failed.",
            Details: new JsonObject { ["reason"] = "checksum_mismatch", ["expected_sha256"] = expected, ["actual_sha256"] = actual });

    public static SandboxError FileUploadLimitExceeded(string message, long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, SandboxErrorCodes.FileUploadLimitExceeded, message,
            Details: new JsonObject { ["limit_bytes"] = limit });

    public static SandboxError QuotaExceeded(long requested, long reserved, long quota) =>
        new(StatusCodes.Status429TooManyRequests, SandboxErrorCodes.QuotaExceeded,
            $"Reserving {requested} bytes would exceed the sandbox's staging quota ({reserved} of {quota} bytes reserved).",
            Hint: "Complete or abort other uploads to this sandbox, or retry later.",
            Details: new JsonObject { ["requested_bytes"] = requested, ["reserved_bytes"] = reserved, ["quota_bytes"] = quota });

    public static SandboxError RateLimitExceeded(int maxConcurrency) =>
        new(StatusCodes.Status429TooManyRequests, SandboxErrorCodes.RateLimitExceeded,
            $"At most {maxConcurrency} parts of this upload may be in flight at once.",
            Hint: "Wait for a part to finish before sending another.",
            Details: new JsonObject { ["max_concurrency"] = maxConcurrency });

    /// <summary>The request's body arrived slower than the server's minimum data rate (Kestrel's MinRequestBodyDataRate) [ours].</summary>
    public static SandboxError BodyTimeout(string message) =>
        new(StatusCodes.Status408RequestTimeout, SandboxErrorCodes.Timeout, message, Hint: "Send the request again.");

    public static SandboxError Internal() =>
        new(StatusCodes.Status500InternalServerError, SandboxErrorCodes.InternalError, "The mock failed unexpectedly; see its log.");
}

/// <summary>One invalid field of a request: which, a stable reason, and a sentence.</summary>
internal sealed record FieldError(string Field, string Reason, string Message);

/// <summary>Carries a <see cref="SandboxError"/> out of deep code to the error middleware.</summary>
internal sealed class SandboxApiException(SandboxError error) : Exception(error.Message)
{
    public SandboxError Error { get; } = error;
}
