using System.Globalization;

namespace Gateway.Api.Box;

/// <summary>
/// A part's <c>Content-Range: bytes &lt;first&gt;-&lt;last&gt;/&lt;total&gt;</c>: inclusive offsets, total = the file's
/// size. Parsed strictly, as mock-box does: one unit (case-insensitive), digits only, no <c>*</c>, and
/// <c>first &lt;= last &lt; total</c>.
/// </summary>
internal readonly record struct BoxContentRange(long First, long Last, long Total)
{
    private const string Unit = "bytes ";

    public long Length => Last - First + 1;

    public static bool TryParse(string? value, out BoxContentRange range)
    {
        range = default;
        if (value is null || !value.StartsWith(Unit, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var spec = value.AsSpan(Unit.Length);
        var dash = spec.IndexOf('-');
        var slash = spec.IndexOf('/');
        if (dash <= 0 || slash <= dash + 1 || slash == spec.Length - 1
            || !Offset(spec[..dash], out var first) || !Offset(spec[(dash + 1)..slash], out var last) || !Offset(spec[(slash + 1)..], out var total)
            || first > last || last >= total)
        {
            return false;
        }
        range = new BoxContentRange(first, last, total);
        return true;
    }

    private static bool Offset(ReadOnlySpan<char> digits, out long value) =>
        long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}

internal enum DigestStatus
{
    Present,
    Missing,
    Invalid,
}

/// <summary>
/// <c>Digest</c> (RFC 3230): a list of <c>algorithm=value</c> with case-insensitive names; Box reads only
/// <c>sha</c>, the base64 of the binary SHA-1 (box-node-sdk 3 writes it <c>SHA=</c>).
/// </summary>
internal static class BoxDigest
{
    public const string Header = "Digest";

    public static DigestStatus TryGetSha1(string? header, out byte[] sha1)
    {
        sha1 = [];
        if (string.IsNullOrWhiteSpace(header))
        {
            return DigestStatus.Missing;
        }
        foreach (var instance in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = instance.IndexOf('=');
            if (equals <= 0 || !instance.AsSpan(0, equals).Trim().Equals("sha", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var buffer = new byte[20];
            if (Convert.TryFromBase64String(instance[(equals + 1)..].Trim(), buffer, out var written) && written == 20)
            {
                sha1 = buffer;
                return DigestStatus.Present;
            }
            return DigestStatus.Invalid;
        }
        return DigestStatus.Invalid;
    }

    /// <summary>The header's SHA-1, or the Box error for its absence or form.</summary>
    public static byte[] Require(HttpRequest request) => TryGetSha1(request.Headers[Header], out var sha1) switch
    {
        DigestStatus.Present => sha1,
        DigestStatus.Missing => throw BoxErrors.MissingDigest(),
        _ => throw BoxErrors.InvalidDigest(),
    };
}
