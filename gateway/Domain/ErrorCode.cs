using Codes = UploadGateway.Contract.ContractValues.ErrorCodes;

namespace Gateway.Domain;

/// <summary>
/// The contract's error table, row by row: a stable machine-readable code, its HTTP status, a title. Every
/// front maps these to its own wire (v1: problem+json, see docs/architecture.md).
/// </summary>
internal sealed record ErrorCode(string Code, int Status, string Title)
{
    public static readonly ErrorCode Unauthorized = new(Codes.Unauthorized, 401, "Missing or invalid credentials");
    public static readonly ErrorCode NotFound = new(Codes.NotFound, 404, "No such upload");
    public static readonly ErrorCode InvalidRequest = new(Codes.InvalidRequest, 400, "Invalid request");
    public static readonly ErrorCode InvalidTarget = new(Codes.InvalidTarget, 422, "Invalid target");
    public static readonly ErrorCode UnknownBackend = new(Codes.UnknownBackend, 422, "Unknown backend");
    public static readonly ErrorCode UnsupportedKind = new(Codes.UnsupportedKind, 422, "Kind not supported by this backend");
    public static readonly ErrorCode PartSizeMismatch = new(Codes.PartSizeMismatch, 400, "Part size does not match the part rule");
    public static readonly ErrorCode ChecksumMismatch = new(Codes.ChecksumMismatch, 400, "Checksum does not match the bytes received");
    public static readonly ErrorCode ChecksumRequired = new(Codes.ChecksumRequired, 400, "A checksum the backend needs is missing");
    public static readonly ErrorCode PartConflict = new(Codes.PartConflict, 409, "Different bytes for a part already received");
    public static readonly ErrorCode PartsMissing = new(Codes.PartsMissing, 409, "Parts are missing");
    public static readonly ErrorCode Conflict = new(Codes.Conflict, 409, "Target already exists");
    public static readonly ErrorCode InvalidState = new(Codes.InvalidState, 409, "Not allowed in the upload's current state");
    public static readonly ErrorCode UploadTooLarge = new(Codes.UploadTooLarge, 413, "Upload or part too large");
    public static readonly ErrorCode QuotaExceeded = new(Codes.QuotaExceeded, 422, "Staging quota exceeded");

    /// <summary>The tenant holds as many live sessions (or tus partial uploads) as its cap allows (README.md, limits).</summary>
    public static readonly ErrorCode TooManyUploads = new(Codes.TooManyUploads, 429, "Too many live uploads");
    public static readonly ErrorCode ConcurrencyLimit = new(Codes.ConcurrencyLimit, 429, "Too many parts in flight");
    public static readonly ErrorCode RateLimited = new(Codes.RateLimited, 429, "Request rate exceeded");
    public static readonly ErrorCode Expired = new(Codes.Expired, 410, "Upload expired");
    public static readonly ErrorCode BackendError = new(Codes.BackendError, 502, "Backend error");
    public static readonly ErrorCode BackendUnavailable = new(Codes.BackendUnavailable, 503, "Backend unavailable");
    public static readonly ErrorCode StoreUnavailable = new(Codes.StoreUnavailable, 503, "Session store unavailable");

    /// <summary>The deployment's pre-create hook refused the upload (its 4xx); the detail is the hook's message.</summary>
    public static readonly ErrorCode HookRejected = new(Codes.HookRejected, 403, "Refused by the pre-create hook");

    /// <summary>The pre-create hook did not answer in time, could not be reached, or failed (5xx, a redirect): the create fails closed.</summary>
    public static readonly ErrorCode HookUnavailable = new(Codes.HookUnavailable, 503, "Pre-create hook unavailable");

    /// <summary>
    /// A disk the gateway writes to (the staging directory, the part spool) has no room left: nothing of the request
    /// was counted beyond what its answer says, and the same request may succeed once room is made (<see cref="DiskFull"/>).
    /// </summary>
    public static readonly ErrorCode StorageFull = new(Codes.StorageFull, 503, "Gateway storage full");

    /// <summary>Outside the contract's table: a route that exists with another method (405) and the gateway's own bugs (500).</summary>
    public static readonly ErrorCode MethodNotAllowed = new(Codes.MethodNotAllowed, 405, "Method not allowed");

    /// <summary>Admin endpoints without the admin scope.</summary>
    public static readonly ErrorCode Forbidden = new(Codes.Forbidden, 403, "Forbidden");

    public static readonly ErrorCode Internal = new(Codes.Internal, 500, "Internal error");
}
