namespace UploadGateway.Contract;

/// <summary>
/// The fixed values of the v1 upload contract: the words of <c>kind</c>, <c>conflict</c>, <c>status</c>, digest
/// names and error codes. One source file compiled into the gateway and the client library (the CLI uses them
/// through the client), so the three cannot drift apart. The served OpenAPI document (<c>/openapi/v1.json</c>)
/// and docs/architecture.md describe where each appears.
/// </summary>
internal static class ContractValues
{
    /// <summary>Values of <c>kind</c>.</summary>
    public static class Kinds
    {
        public const string File = "file";

        /// <summary>A tar archive the backend unpacks at the target path.</summary>
        public const string DirectoryTar = "directory_tar";

        public static readonly string[] All = [File, DirectoryTar];
    }

    /// <summary>Values of <c>conflict</c>: what happens when the target exists.</summary>
    public static class Conflicts
    {
        public const string Error = "error";
        public const string Replace = "replace";

        /// <summary>Directory archives only: the archive is laid over what is there.</summary>
        public const string Merge = "merge";

        public static readonly string[] All = [Error, Replace, Merge];
    }

    /// <summary>
    /// Values of a session's <c>status</c>: <c>created → uploading → staged → completing → completed</c>, or
    /// <c>aborted</c>, <c>expired</c>, <c>failed</c>.
    /// </summary>
    public static class Statuses
    {
        public const string Created = "created";
        public const string Uploading = "uploading";
        public const string Staged = "staged";
        public const string Completing = "completing";
        public const string Completed = "completed";
        public const string Aborted = "aborted";
        public const string Expired = "expired";
        public const string Failed = "failed";

        public static readonly string[] All = [Created, Uploading, Staged, Completing, Completed, Aborted, Expired, Failed];

        /// <summary>The statuses in which a session takes parts.</summary>
        public static readonly string[] TakingParts = [Created, Uploading, Staged];
    }

    /// <summary>Digest names, as in <c>checksum</c> and <c>checksums_required</c>.</summary>
    public static class Algorithms
    {
        public const string Sha256 = "sha256";
        public const string Sha1 = "sha1";
    }

    /// <summary>Headers of the contract beyond HTTP's own.</summary>
    public static class Headers
    {
        /// <summary>RFC 9530 §2 (https://www.rfc-editor.org/rfc/rfc9530#section-2): a part's digests.</summary>
        public const string ContentDigest = "Content-Digest";
    }

    /// <summary>The <c>code</c> of a problem response, one HTTP status each.</summary>
    public static class ErrorCodes
    {
        public const string Unauthorized = "unauthorized";
        public const string Forbidden = "forbidden";
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
        public const string TooManyUploads = "too_many_uploads";
        public const string ConcurrencyLimit = "concurrency_limit";
        public const string RateLimited = "rate_limited";
        public const string Expired = "expired";
        public const string BackendError = "backend_error";
        public const string BackendUnavailable = "backend_unavailable";
        public const string StoreUnavailable = "store_unavailable";
        public const string HookRejected = "hook_rejected";
        public const string HookUnavailable = "hook_unavailable";
        public const string StorageFull = "storage_full";
        public const string MethodNotAllowed = "method_not_allowed";
        public const string Internal = "internal_error";
    }
}
