namespace Gateway.Sessions;

/// <summary>
/// The session lifecycle of CONTRACT.md: <c>created → uploading → staged → completing → completed</c>,
/// or <c>aborted</c>, <c>expired</c>, <c>failed</c>. Kept as the wire strings, which the Lua scripts compare too.
/// </summary>
internal static class SessionStatus
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

    /// <summary>Only these take parts (CONTRACT.md).</summary>
    public static readonly string[] TakingParts = [Created, Uploading, Staged];

    /// <summary>Sessions that still hold backend state and quota: the ones expiry must clean up.</summary>
    public static readonly string[] Live = [Created, Uploading, Staged, Completing];

    public static bool IsLive(string status) => Live.Contains(status);
}
