namespace UploadGateway.Client;

/// <summary>Where a whole-file or directory upload goes: the backend, the target, and the conflict policy.</summary>
public sealed record UploadDestination(string Backend, UploadTarget Target, string Conflict = ConflictPolicies.Error)
{
    internal CreateUploadRequest ToRequest(string kind, long contentLength) => new()
    {
        Backend = Backend,
        Target = Target,
        Kind = kind,
        ContentLength = contentLength,
        Conflict = Conflict,
    };
}

/// <summary>How a whole upload runs.</summary>
public sealed record FileUploadOptions
{
    /// <summary>Parts in flight at once; the session's <c>max_concurrency</c> caps it. Default 4.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Told of progress, at most every <see cref="ProgressInterval"/> and whenever a part is accepted.</summary>
    public IProgress<UploadProgress>? Progress { get; init; }

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Called once the session is known (created, or read back to resume), before any part is sent: the upload id to resume with.</summary>
    public Action<UploadSession>? Started { get; init; }

    /// <summary>Where a directory's tar archive is written while it is uploaded; the system's temp folder by default.</summary>
    public string? TempDirectory { get; init; }
}

/// <summary>What an upload has done so far.</summary>
/// <param name="BytesUploaded">Bytes the gateway acknowledged (including before a resume) plus bytes of parts on their way.</param>
/// <param name="BytesPerSecond">Recent throughput on the wire (a few seconds' window); 0 until known.</param>
/// <param name="Remaining">Estimated time left at that throughput; null until known.</param>
/// <param name="Retries">Requests of this upload that were retried.</param>
public sealed record UploadProgress(
    string UploadId,
    UploadPhase Phase,
    long BytesUploaded,
    long TotalBytes,
    int PartsDone,
    int PartCount,
    double BytesPerSecond,
    TimeSpan? Remaining,
    int Retries);

public enum UploadPhase
{
    /// <summary>Parts are being read, hashed and sent.</summary>
    Uploading,

    /// <summary>Every part is in; the backend is assembling the object.</summary>
    Completing,

    Completed,
}
