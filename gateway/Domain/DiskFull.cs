namespace Gateway.Domain;

/// <summary>
/// A write to one of the gateway's own disks (the staging directory, the part spool) that found no room: the
/// operator's to fix, the client's to retry, so a <c>503 storage_full</c> with <c>Retry-After</c> rather than the
/// <c>500</c> an unknown failure gets. Whatever the write had already put on disk counts as any other interrupted
/// write does (docs/tus.md, the offset).
/// </summary>
internal static class DiskFull
{
    // The errno values .NET gives an IOException's HResult on Unix (ENOSPC, EDQUOT); ERROR_DISK_FULL and
    // ERROR_HANDLE_DISK_FULL as HRESULTs on Windows.
    private const int NoSpace = 28;
    private const int QuotaExceeded = 122;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

    public static bool Is(Exception exception) =>
        exception is IOException { HResult: NoSpace or QuotaExceeded or WindowsDiskFull or WindowsHandleDiskFull };

    public static GatewayException Refusal() =>
        new(ErrorCode.StorageFull, "The gateway's disk for uploads in progress is full; of this request, only what the upload now reports as received was kept. Retry shortly.")
        {
            RetryAfter = TimeSpan.FromSeconds(30),
        };
}
