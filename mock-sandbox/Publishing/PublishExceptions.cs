namespace MockSandbox.Publishing;

/// <summary>
/// The target cannot take the upload as things stand (it exists under <c>conflict: error</c>, or is a
/// directory where a file should go). Nothing was changed; the same upload may succeed later.
/// </summary>
internal sealed class PublishConflictException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}

/// <summary>
/// The archive can never be published: an entry is absolute, climbs with <c>..</c>, links outside the
/// target, is a device or FIFO, or the bytes are not a tar archive [ours]. Nothing was published.
/// </summary>
internal sealed class UnsafeArchiveException(string message, string? entry = null) : Exception(message)
{
    public string? Entry { get; } = entry;
}

/// <summary>What a publish put in place: bytes of regular files and how many there were [doc: 1 for a file].</summary>
internal sealed record PublishResult(long PublishedBytes, int PublishedFileCount);
