namespace MockBox.Sessions;

/// <summary>
/// How the mock picks <c>part_size</c> and <c>total_parts</c> (README.md "Limits and lifecycle": Box picks
/// them and does not say how). Start from the configured size and double it until the file fits in
/// 10,000 parts, the ceiling implied by list-parts' offset cap; <c>total_parts = ceil(file_size / part_size)</c>.
/// </summary>
internal static class PartSizing
{
    public const int MaxParts = 10_000;

    public static (long PartSize, int TotalParts) For(long fileSize, long configuredPartSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fileSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(configuredPartSize);
        var partSize = configuredPartSize;
        while (PartCount(fileSize, partSize) > MaxParts)
        {
            partSize *= 2;
        }
        return (partSize, (int)PartCount(fileSize, partSize));
    }

    /// <summary>The exact size of the part starting at <paramref name="offset"/>: part_size, or the rest of the file for the last one.</summary>
    public static long ExpectedSize(long fileSize, long partSize, long offset) => Math.Min(partSize, fileSize - offset);

    // Written without fileSize + partSize - 1, which overflows for sizes near long.MaxValue.
    private static long PartCount(long fileSize, long partSize) => fileSize / partSize + (fileSize % partSize == 0 ? 0 : 1);
}
