using System.Net;

namespace UploadGateway.Client;

/// <summary>
/// The gateway refused a request: an RFC 9457 problem with the contract's stable <see cref="Code"/>
/// (CONTRACT.md, error codes). Thrown after retries are used up for retryable codes, at once for the others.
/// </summary>
public sealed class GatewayException : Exception
{
    public GatewayException(HttpStatusCode status, string code, string message)
        : base(message)
    {
        Status = status;
        Code = code;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The contract's error code, e.g. <c>parts_missing</c>; <c>http_&lt;status&gt;</c> when the answer was not a problem.</summary>
    public string Code { get; }

    public string? UploadId { get; init; }

    /// <summary>The gateway's trace id, for its logs.</summary>
    public string? TraceId { get; init; }

    /// <summary>With <c>parts_missing</c>: the parts still to send, as ranges (<c>"2,4-7"</c>).</summary>
    public string? MissingParts { get; init; }

    /// <summary>What the gateway asked the client to wait before trying again, if anything.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Whether the same request may succeed later (the contract's retryable codes).</summary>
    public bool IsRetryable => ErrorCodes.IsRetryable(Status, Code);
}

/// <summary>The error codes of CONTRACT.md a client acts on.</summary>
public static class ErrorCodes
{
    public const string Unauthorized = "unauthorized";
    public const string NotFound = "not_found";
    public const string InvalidRequest = "invalid_request";
    public const string InvalidTarget = "invalid_target";
    public const string UnknownBackend = "unknown_backend";
    public const string UnsupportedKind = "unsupported_kind";
    public const string PartSizeMismatch = "part_size_mismatch";
    public const string ChecksumMismatch = "checksum_mismatch";
    public const string ChecksumRequired = "checksum_required";
    public const string PartConflict = "part_conflict";
    public const string PartsMissing = "parts_missing";
    public const string Conflict = "conflict";
    public const string InvalidState = "invalid_state";
    public const string UploadTooLarge = "upload_too_large";
    public const string QuotaExceeded = "quota_exceeded";
    public const string ConcurrencyLimit = "concurrency_limit";
    public const string RateLimited = "rate_limited";
    public const string Expired = "expired";
    public const string BackendError = "backend_error";
    public const string BackendUnavailable = "backend_unavailable";
    public const string StoreUnavailable = "store_unavailable";

    /// <summary>
    /// CONTRACT.md: <c>429 concurrency_limit</c>/<c>rate_limited</c> and <c>503 backend_unavailable</c>/
    /// <c>store_unavailable</c> are retryable. A 429 or 503 without a problem body (a proxy in front of the
    /// gateway) means the same thing in HTTP (RFC 9110 §15.6.4, RFC 6585 §4). Nothing else is: a
    /// <c>502 backend_error</c> is an answer the gateway could not map, and repeating it changes nothing.
    /// </summary>
    public static bool IsRetryable(HttpStatusCode status, string code) => (int)status switch
    {
        429 => code is ConcurrencyLimit or RateLimited || code.StartsWith("http_", StringComparison.Ordinal),
        503 => code is BackendUnavailable or StoreUnavailable || code.StartsWith("http_", StringComparison.Ordinal),
        _ => false,
    };
}
