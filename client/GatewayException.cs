using System.Net;
using UploadGateway.Contract;

namespace UploadGateway.Client;

/// <summary>
/// The gateway refused a request: an RFC 9457 problem with the contract's stable <see cref="Code"/>
/// (README.md, the contract: error codes). Thrown after retries are used up for retryable codes, at once for the others.
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

/// <summary>The error codes of the contract (README.md) a client acts on.</summary>
public static class ErrorCodes
{
    public const string Unauthorized = ContractValues.ErrorCodes.Unauthorized;
    public const string NotFound = ContractValues.ErrorCodes.NotFound;
    public const string InvalidRequest = ContractValues.ErrorCodes.InvalidRequest;
    public const string InvalidTarget = ContractValues.ErrorCodes.InvalidTarget;
    public const string UnknownBackend = ContractValues.ErrorCodes.UnknownBackend;
    public const string UnsupportedKind = ContractValues.ErrorCodes.UnsupportedKind;
    public const string PartSizeMismatch = ContractValues.ErrorCodes.PartSizeMismatch;
    public const string ChecksumMismatch = ContractValues.ErrorCodes.ChecksumMismatch;
    public const string ChecksumRequired = ContractValues.ErrorCodes.ChecksumRequired;
    public const string PartConflict = ContractValues.ErrorCodes.PartConflict;
    public const string PartsMissing = ContractValues.ErrorCodes.PartsMissing;
    public const string Conflict = ContractValues.ErrorCodes.Conflict;
    public const string InvalidState = ContractValues.ErrorCodes.InvalidState;
    public const string UploadTooLarge = ContractValues.ErrorCodes.UploadTooLarge;
    public const string QuotaExceeded = ContractValues.ErrorCodes.QuotaExceeded;
    public const string ConcurrencyLimit = ContractValues.ErrorCodes.ConcurrencyLimit;
    public const string RateLimited = ContractValues.ErrorCodes.RateLimited;
    public const string Expired = ContractValues.ErrorCodes.Expired;
    public const string BackendError = ContractValues.ErrorCodes.BackendError;
    public const string BackendUnavailable = ContractValues.ErrorCodes.BackendUnavailable;
    public const string StoreUnavailable = ContractValues.ErrorCodes.StoreUnavailable;
    public const string HookRejected = ContractValues.ErrorCodes.HookRejected;
    public const string HookUnavailable = ContractValues.ErrorCodes.HookUnavailable;
    public const string StorageFull = ContractValues.ErrorCodes.StorageFull;

    /// <summary>
    /// The contract (README.md): <c>429 concurrency_limit</c>/<c>rate_limited</c> and <c>503 backend_unavailable</c>/
    /// <c>store_unavailable</c> are retryable, and so are <c>503 hook_unavailable</c> (the deployment's pre-create
    /// hook did not answer) and <c>503 storage_full</c> (the gateway's disk had no room); <c>403 hook_rejected</c> is the
    /// hook's answer and is not. A 429 or 503 without a problem body (a proxy in front of the
    /// gateway) means the same thing in HTTP (RFC 9110 §15.6.4, RFC 6585 §4). Nothing else is: a
    /// <c>502 backend_error</c> is an answer the gateway could not map, and repeating it changes nothing.
    /// </summary>
    public static bool IsRetryable(HttpStatusCode status, string code) => (int)status switch
    {
        429 => code is ConcurrencyLimit or RateLimited || code.StartsWith("http_", StringComparison.Ordinal),
        503 => code is BackendUnavailable or StoreUnavailable or HookUnavailable or StorageFull || code.StartsWith("http_", StringComparison.Ordinal),
        _ => false,
    };
}
