using Statuses = UploadGateway.Contract.ContractValues.Statuses;

namespace Gateway.Sessions;

/// <summary>
/// The session lifecycle: <c>created → uploading → staged → completing → completed</c>, or <c>aborted</c>,
/// <c>expired</c>, <c>failed</c>. Kept as the wire strings, which the Lua scripts compare too.
/// </summary>
internal static class SessionStatus
{
    public const string Created = Statuses.Created;
    public const string Uploading = Statuses.Uploading;
    public const string Staged = Statuses.Staged;
    public const string Completing = Statuses.Completing;
    public const string Completed = Statuses.Completed;
    public const string Aborted = Statuses.Aborted;
    public const string Expired = Statuses.Expired;
    public const string Failed = Statuses.Failed;

    public static readonly string[] All = Statuses.All;

    /// <summary>Only these take parts.</summary>
    public static readonly string[] TakingParts = Statuses.TakingParts;

    /// <summary>Sessions that still hold backend state and quota: the ones expiry must clean up.</summary>
    public static readonly string[] Live = [Created, Uploading, Staged, Completing];

    public static bool IsLive(string status) => Live.Contains(status);

    public static bool TakesParts(string status) => TakingParts.Contains(status);
}
