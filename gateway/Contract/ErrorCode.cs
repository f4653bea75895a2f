namespace Gateway.Contract;

/// <summary>
/// The error table of CONTRACT.md, row by row: a stable machine-readable code, its HTTP status, a title.
/// </summary>
internal sealed record ErrorCode(string Code, int Status, string Title)
{
    public static readonly ErrorCode Unauthorized = new("unauthorized", 401, "Missing or invalid credentials");
    public static readonly ErrorCode NotFound = new("not_found", 404, "No such upload");
    public static readonly ErrorCode InvalidRequest = new("invalid_request", 400, "Invalid request");
    public static readonly ErrorCode InvalidTarget = new("invalid_target", 422, "Invalid target");
    public static readonly ErrorCode UnknownBackend = new("unknown_backend", 422, "Unknown backend");
    public static readonly ErrorCode UnsupportedKind = new("unsupported_kind", 422, "Kind not supported by this backend");
    public static readonly ErrorCode PartSizeMismatch = new("part_size_mismatch", 400, "Part size does not match the part rule");
    public static readonly ErrorCode ChecksumMismatch = new("checksum_mismatch", 400, "Checksum does not match the bytes received");
    public static readonly ErrorCode ChecksumRequired = new("checksum_required", 400, "A checksum the backend needs is missing");
    public static readonly ErrorCode PartConflict = new("part_conflict", 409, "Different bytes for a part already received");
    public static readonly ErrorCode PartsMissing = new("parts_missing", 409, "Parts are missing");
    public static readonly ErrorCode Conflict = new("conflict", 409, "Target already exists");
    public static readonly ErrorCode InvalidState = new("invalid_state", 409, "Not allowed in the upload's current state");
    public static readonly ErrorCode UploadTooLarge = new("upload_too_large", 413, "Upload or part too large");
    public static readonly ErrorCode QuotaExceeded = new("quota_exceeded", 422, "Staging quota exceeded");
    public static readonly ErrorCode ConcurrencyLimit = new("concurrency_limit", 429, "Too many parts in flight");
    public static readonly ErrorCode RateLimited = new("rate_limited", 429, "Request rate exceeded");
    public static readonly ErrorCode Expired = new("expired", 410, "Upload expired");
    public static readonly ErrorCode BackendError = new("backend_error", 502, "Backend error");
    public static readonly ErrorCode BackendUnavailable = new("backend_unavailable", 503, "Backend unavailable");
    public static readonly ErrorCode StoreUnavailable = new("store_unavailable", 503, "Session store unavailable");

    /// <summary>Outside the contract's table: a route that exists with another method (405) and the gateway's own bugs (500).</summary>
    public static readonly ErrorCode MethodNotAllowed = new("method_not_allowed", 405, "Method not allowed");

    public static readonly ErrorCode Internal = new("internal_error", 500, "Internal error");
}
