using System.Security.Cryptography;

namespace MockBox.Http;

internal enum DigestStatus
{
    Present,
    Missing,
    Invalid,
}

/// <summary>
/// The <c>Digest</c> header (RFC 3230): a comma-separated list of <c>algorithm=value</c>, algorithm names
/// case-insensitive. Box reads only <c>sha</c>, the base64 of the binary SHA-1, never hex (README.md).
/// </summary>
internal static class DigestHeader
{
    public const int Sha1Length = 20;

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
            var value = instance[(equals + 1)..].Trim();
            var buffer = new byte[Sha1Length];
            if (Convert.TryFromBase64String(value, buffer, out var written) && written == Sha1Length)
            {
                sha1 = buffer;
                return DigestStatus.Present;
            }
            return DigestStatus.Invalid;
        }
        return DigestStatus.Invalid;
    }

    public static string ToHex(byte[] sha1) => Convert.ToHexStringLower(sha1);

    public static string ToBase64(byte[] sha1) => Convert.ToBase64String(sha1);

    public static bool SameDigest(byte[] a, byte[] b) => CryptographicOperations.FixedTimeEquals(a, b);
}
