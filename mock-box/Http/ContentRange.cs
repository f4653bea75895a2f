using System.Globalization;

namespace MockBox.Http;

/// <summary>
/// A part's <c>Content-Range: bytes &lt;first&gt;-&lt;last&gt;/&lt;total&gt;</c> (README.md operation 4: inclusive
/// byte offsets, total = the session's file size). Parsed strictly: one unit, no spaces inside, no
/// <c>*</c>, and <c>first &lt;= last &lt; total</c>.
/// </summary>
internal readonly record struct ContentRange(long First, long Last, long Total)
{
    private const string Unit = "bytes ";

    public long Length => Last - First + 1;

    public static bool TryParse(string? value, out ContentRange range)
    {
        range = default;
        // RFC 9110 §14.1: range units are case-insensitive.
        if (value is null || !value.StartsWith(Unit, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var spec = value.AsSpan(Unit.Length);
        var dash = spec.IndexOf('-');
        var slash = spec.IndexOf('/');
        if (dash <= 0 || slash <= dash + 1 || slash == spec.Length - 1)
        {
            return false;
        }
        if (!TryParseOffset(spec[..dash], out var first)
            || !TryParseOffset(spec[(dash + 1)..slash], out var last)
            || !TryParseOffset(spec[(slash + 1)..], out var total))
        {
            return false;
        }
        if (first > last || last >= total)
        {
            return false;
        }
        range = new ContentRange(first, last, total);
        return true;
    }

    // Digits only: NumberStyles.None refuses signs, spaces and separators.
    private static bool TryParseOffset(ReadOnlySpan<char> digits, out long value) =>
        long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    public override string ToString() => $"bytes {First}-{Last}/{Total}";
}
