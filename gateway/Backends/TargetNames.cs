using Gateway.Domain;

namespace Gateway.Backends;

/// <summary>Checks shared by the adapters' target validation.</summary>
internal static class TargetNames
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
    public static string? UnsafeCharacters(string value) => value switch
    {
        _ when value.Any(char.IsControl) => "contains control characters",
        _ when value.Any(c => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C') =>
            "contains bidirectional text controls",
        _ when value.AsSpan().IndexOfAny(LookAlikes) >= 0 => "contains a look-alike of '.', '/' or '\\'; use the ASCII character or another name",
        _ => null,
    };

    /// <summary>
    /// Characters NFKC folds into <c>.</c>, <c>/</c> or <c>\</c> (fullwidth and small forms, dot leaders,
    /// ellipsis), and the common visual confusables of the separators (division, fraction, big and set-minus slashes).
    /// </summary>
    private static readonly System.Buffers.SearchValues<char> LookAlikes = System.Buffers.SearchValues.Create(
        "\uFF0E\uFE52\u2024\u2025\u2026" + "\uFF0F\u2215\u2044\u29F8\u2571" + "\uFF3C\uFE68\u2216\u29F5\u29F9\u2572");


    public static GatewayException NotApplicable(string field, string type) =>
        new(ErrorCode.InvalidTarget, $"target.{field} does not apply to a {type} backend.");
}
