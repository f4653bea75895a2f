using Gateway.Domain;

namespace Gateway.Backends;

/// <summary>Checks shared by the adapters' target validation.</summary>
internal static partial class TargetNames
{
    /// <summary>
    /// Refuses what a name never needs and attackers use: control characters (CR, LF, NUL: header and log
    /// injection), bidirectional overrides (<c>evil\u202Etxt.exe</c> reads as <c>evilexe.txt</c>), and
    /// look-alikes of <c>.</c>, <c>/</c> and <c>\</c> that a Unicode-normalizing backend would turn into dot
    /// segments or separators (fullwidth <c>．．／</c> is <c>../</c> under NFKC), or that only look like them.
    /// </summary>
    /// <remarks>An explicit table, not <see cref="string.Normalize()"/>: the gateway runs with invariant globalization.</remarks>
    public static void RefuseUnsafeCharacters(string? value, string field)
    {
        if (value is not null && UnsafeCharacters(value) is { } problem)
        {
            throw new GatewayException(ErrorCode.InvalidTarget, $"target.{field} {problem}.");
        }
    }

    /// <summary>What of <see cref="RefuseUnsafeCharacters"/> <paramref name="value"/> breaks, or null.</summary>
    /// <remarks>
    /// A backslash is a separator to Windows and to backends that normalize it; a percent-encoded '.', '/' or '\'
    /// becomes one to a backend that decodes names. Neither is ever needed in a name sent as JSON.
    /// </remarks>
    public static string? UnsafeCharacters(string value) => value switch
    {
        _ when value.Any(char.IsControl) => "contains control characters",
        _ when value.Any(c => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C') =>
            "contains bidirectional text controls",
        _ when value.AsSpan().IndexOfAny(LookAlikes) >= 0 || value.Contains(DigitZeroFullStop, StringComparison.Ordinal) =>
            "contains a look-alike of '.', '/' or '\\'; use the ASCII character or another name",
        _ when value.Contains('\\') => "contains a backslash",
        _ when PercentEncodedSeparator().IsMatch(value) => "contains a percent-encoded '.', '/' or '\\' (%2e, %2f, %5c)",
        _ => null,
    };

    /// <summary>
    /// Every character whose NFKC form contains <c>.</c>, <c>/</c> or <c>\</c> (Unicode 15: fullwidth and small
    /// forms, dot leaders and ellipses with their vertical presentation forms, <c>℀ ℁ ℅ ℆</c>, <c>⒈</c>–<c>⒛</c>,
    /// <c>🄀</c>, <c>㏂ ㏇ ㏘</c>), so a backend that normalizes never turns a name into dot segments or separators;
    /// and the common visual confusables of the separators (division, fraction, big and set-minus slashes).
    /// Generated with Python's <c>unicodedata.normalize('NFKC', c)</c> over every code point; U+1F100, outside
    /// the BMP, is checked as a string.
    /// </summary>
    private static readonly System.Buffers.SearchValues<char> LookAlikes = System.Buffers.SearchValues.Create(
        "\uFF0E\uFE52\u2024\u2025\u2026\uFE19\uFE30" + "\u2488\u2489\u248A\u248B\u248C\u248D\u248E\u248F\u2490\u2491\u2492\u2493\u2494\u2495\u2496\u2497\u2498\u2499\u249A\u249B"
        + "\u33C2\u33C7\u33D8" + "\u2100\u2101\u2105\u2106" + "\uFF0F\u2215\u2044\u29F8\u2571" + "\uFF3C\uFE68\u2216\u29F5\u29F9\u2572");

    private const string DigitZeroFullStop = "\U0001F100";

    [System.Text.RegularExpressions.GeneratedRegex("%(2[eEfF]|5[cC])")]
    private static partial System.Text.RegularExpressions.Regex PercentEncodedSeparator();

    public static GatewayException NotApplicable(string field, string type) =>
        new(ErrorCode.InvalidTarget, $"target.{field} does not apply to a {type} backend.");
}
