namespace MockSandbox.Quota;

/// <summary>
/// The staging bytes one sandbox's live sessions hold [ours]: each reserves its whole <c>content_length</c>
/// at create and gives it back once, when it ends (completed, aborted, expired, failed).
/// </summary>
internal sealed class StagingQuota
{
    private readonly Lock _lock = new();
    private long _reserved;

    public long Reserved
    {
        get
        {
            lock (_lock)
            {
                return _reserved;
            }
        }
    }

    /// <summary>Reserves <paramref name="bytes"/> if the total stays within <paramref name="quota"/>; reports what was reserved before.</summary>
    public bool TryReserve(long bytes, long quota, out long reservedBefore)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_lock)
        {
            reservedBefore = _reserved;
            if (bytes > quota - _reserved)
            {
                return false;
            }
            _reserved += bytes;
            return true;
        }
    }

    public void Release(long bytes)
    {
        lock (_lock)
        {
            _reserved -= bytes;
            if (_reserved < 0)
            {
                throw new InvalidOperationException($"Staging quota released more than was reserved ({_reserved}).");
            }
        }
    }
}
