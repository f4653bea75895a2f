using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Events;

/// <summary>
/// Signatures of the Standard Webhooks specification (https://www.standardwebhooks.com): every request the
/// gateway sends to someone else's endpoint (webhooks, the pre-create hook) carries <c>webhook-id</c>,
/// <c>webhook-timestamp</c> and <c>webhook-signature: v1,&lt;base64 HMAC-SHA256 of "{id}.{timestamp}.{body}"&gt;</c>,
/// keyed with the endpoint's secret, written <c>whsec_&lt;base64&gt;</c>.
/// </summary>
internal static class StandardWebhooks
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    private const string SecretPrefix = "whsec_";

    /// <summary>The key a <c>whsec_…</c> secret stands for; false when it is not one (checked at start-up).</summary>
    public static bool TryReadSecret(string? secret, [NotNullWhen(true)] out byte[]? key)
    {
        key = null;
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return false;
        }
        var base64 = secret.AsSpan(SecretPrefix.Length);
        var bytes = new byte[base64.Length];
        if (!Convert.TryFromBase64Chars(base64, bytes, out var written) || written < 16)
        {
            return false; // the specification asks for 24 to 64 bytes; fewer than 16 is no secret at all
        }
        key = bytes[..written];
        return true;
    }

    /// <summary>The <c>webhook-signature</c> value for one message.</summary>
    public static string Sign(byte[] key, string id, DateTimeOffset timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp.ToUnixTimeSeconds()}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    /// <summary>Sets the three headers on a request whose content is <paramref name="body"/>.</summary>
    public static void AddHeaders(HttpRequestMessage request, byte[] key, string id, DateTimeOffset timestamp, ReadOnlySpan<byte> body)
    {
        request.Headers.TryAddWithoutValidation(IdHeader, id);
        request.Headers.TryAddWithoutValidation(TimestampHeader, timestamp.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(SignatureHeader, Sign(key, id, timestamp, body));
    }
}
