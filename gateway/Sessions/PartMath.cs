using System.Text;

namespace Gateway.Sessions;

/// <summary>
/// The part rule: parts are 1-based, part <c>n</c> covers bytes
/// <c>[(n-1)·part_size, min(n·part_size, content_length))</c>.
/// </summary>
internal static class PartMath
{
    public static int PartCount(long contentLength, long partSize) =>
        contentLength == 0 ? 0 : checked((int)((contentLength + partSize - 1) / partSize));

    public static long OffsetOf(long partSize, int partNumber) => (partNumber - 1) * partSize;

    public static long SizeOf(long contentLength, long partSize, int partNumber) =>
        Math.Min(partSize, contentLength - OffsetOf(partSize, partNumber));

    /// <summary>
    /// <see cref="SizeOf"/> in Lua, over <c>size</c>, <c>part_size</c> and <c>n</c>, for the Redis scripts'
    /// prelude (Sessions/Redis/RedisScripts.cs): the rule's other spelling, kept beside the first. The store
    /// test suite checks both stores size every part alike.
    /// </summary>
    public const string LuaSizeOf = "math.min(part_size, size - (n - 1) * part_size)";

    /// <summary>The lowest part number not yet received, or null when none is missing.</summary>
    public static int? NextPart(IReadOnlyList<int> receivedAscending, int partCount)
    {
        var expected = 1;
        foreach (var n in receivedAscending)
        {
            if (n != expected)
            {
                break;
            }
            expected++;
        }
        return expected <= partCount ? expected : null;
    }

    /// <summary>The gaps as ranges, e.g. <c>"2,4-7"</c>; empty when nothing is missing.</summary>
    public static string MissingRanges(IReadOnlyList<int> receivedAscending, int partCount)
    {
        var text = new StringBuilder();
        var next = 1;
        foreach (var n in receivedAscending.Append(partCount + 1))
        {
            if (n > next)
            {
                if (text.Length > 0)
                {
                    text.Append(',');
                }
                text.Append(next);
                if (n - 1 > next)
                {
                    text.Append('-').Append(n - 1);
                }
            }
            next = Math.Max(next, n + 1);
        }
        return text.ToString();
    }
}
