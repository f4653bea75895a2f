using System.Globalization;
using System.Security.Cryptography;
using Gateway.Auth;
using Gateway.Domain;
using Gateway.Sessions;
using UploadGateway.Contract;
using Gateway.Http;

namespace Gateway.Api.Tus;

/// <summary>tus's request headers parsed (lengths, offsets, <c>Upload-Checksum</c>, the content type) and its response headers written.</summary>
internal static partial class TusApi
{
    private static void ExpectOctetStream(HttpRequest request)
    {
        var type = request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(type, OffsetOctetStream, StringComparison.OrdinalIgnoreCase))
        {
            throw new GatewayException(ErrorCode.InvalidRequest with { Status = StatusCodes.Status415UnsupportedMediaType },
                $"Upload bytes must be sent as Content-Type: {OffsetOctetStream}.");
        }
    }

    /// <summary>A tus length or offset: digits only, no sign, at most 19 of them.</summary>
    private static long? Number(Microsoft.Extensions.Primitives.StringValues values, string header)
    {
        if (values.Count == 0)
        {
            return null;
        }
        var text = values.Count == 1 ? values[0]!.Trim() : "";
        if (text.Length is 0 or > 19 || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new GatewayException(ErrorCode.InvalidRequest, $"{header} must be a whole number of bytes from 0.");
        }
        return value;
    }

    private static TusChecksum? ParseChecksum(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count == 0)
        {
            return null;
        }
        var parts = values.Count == 1 ? values[0]!.Trim().Split(' ') : [];
        var (algorithm, size) = parts.Length == 2 ? parts[0] switch
        {
            ContractValues.Algorithms.Sha1 => (HashAlgorithmName.SHA1, 20),
            ContractValues.Algorithms.Sha256 => (HashAlgorithmName.SHA256, 32),
            _ => (default(HashAlgorithmName), 0),
        } : (default, 0);
        if (size == 0)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, $"Upload-Checksum must be \"<algorithm> <base64 digest>\" with an algorithm of {ChecksumAlgorithms}.");
        }
        var digest = new byte[size];
        if (!Convert.TryFromBase64String(parts[1], digest, out var written) || written != size)
        {
            throw new GatewayException(ErrorCode.InvalidRequest, $"Upload-Checksum's {parts[0]} digest must be {size} bytes in base64.");
        }
        return new TusChecksum(parts[0], algorithm, digest);
    }

    /// <summary>A PATCH may carry up to the whole upload; Kestrel's 30 MB default would cut it.</summary>
    private static void LiftBodyLimit(HttpContext context, Tenant tenant)
    {
        context.SetBodyLimit(tenant.Limits.MaxUploadBytes);
    }

    private static void Expires(HttpContext context, UploadSession session)
    {
        if (SessionStatus.IsLive(session.Status))
        {
            context.Response.Headers["Upload-Expires"] = session.ExpiresAt.ToString("R", CultureInfo.InvariantCulture);
        }
    }
}
