using System.Globalization;

namespace UploadGateway.Client.Uploads;

/// <summary>Part arithmetic of the contract (README.md) and the <c>missing_parts</c> notation (<c>"2,4-7"</c>).</summary>
internal static class PartRanges
{
    /// <summary>Part <c>n</c> covers <c>[(n-1)·part_size, min(n·part_size, content_length))</c>.</summary>
    public static (long Offset, long Size) Span(long contentLength, long partSize, int partNumber)
    {
        var offset = (partNumber - 1) * partSize;
        return (offset, Math.Min(partSize, contentLength - offset));
    }

    /// <summary>The part numbers a <c>missing_parts</c> value names, ascending.</summary>
    public static SortedSet<int> Parse(string? ranges, int partCount)
    {
        var parts = new SortedSet<int>();
        if (string.IsNullOrWhiteSpace(ranges))
        {
            return parts;
        }
        foreach (var item in ranges.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = item.IndexOf('-');
            var first = Number(dash < 0 ? item : item[..dash]);
            var last = dash < 0 ? first : Number(item[(dash + 1)..]);
            if (first < 1 || last < first || last > partCount)
            {
                throw new FormatException($"missing_parts '{ranges}' names parts outside 1-{partCount}.");
            }
            for (var n = first; n <= last; n++)
            {
                parts.Add(n);
            }
        }
        return parts;
    }

    private static int Number(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"'{text}' is not a part number.");
}
