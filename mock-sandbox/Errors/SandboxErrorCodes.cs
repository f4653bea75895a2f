namespace MockSandbox.Errors;

/// <summary>The error codes the sandbox API documents [doc], plus the mock's own last resort.</summary>
internal static class SandboxErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidFields = "invalid_fields";
    public const string NotFound = "not_found";
    public const string SandboxNotFound = "sandbox_not_found";
    public const string MissingApiKey = "missing_api_key";
    public const string Unauthorized = "unauthorized";
    public const string PermissionDenied = "permission_denied";
    public const string QuotaExceeded = "quota_exceeded";
    public const string FileUploadLimitExceeded = "file_upload_limit_exceeded";
    public const string RateLimitExceeded = "rate_limit_exceeded";
    public const string Conflict = "conflict";
    public const string UploadConflict = "upload_conflict";
    public const string SandboxNotReady = "sandbox_not_ready";
    public const string Timeout = "timeout";

    /// <summary>Not a documented code: only a bug in the mock produces it (the spec has no 500).</summary>
    public const string InternalError = "internal_error";
}
