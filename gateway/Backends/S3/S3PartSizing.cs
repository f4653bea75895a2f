using Gateway.Domain;
using Gateway.Sessions;

namespace Gateway.Backends.S3;

/// <summary>
/// The part size of an object of a given length: the configured size, grown (in whole MiB) until the object fits
/// in S3's 10,000 parts. Every part but the last is then at least the store's minimum (the configured size is, and
/// validation holds it there) and none is over 5 GiB, since objects over 5 TiB are refused. A fixed part size is
/// what capped tusd's s3store at ~60 GB (tus/tusd#149).
/// </summary>
internal static class S3PartSizing
{
    public static (long PartSize, int PartCount) For(long contentLength, long configured)
    {
        if (contentLength > S3Options.MaxObjectBytes)
        {
            throw new GatewayException(ErrorCode.UploadTooLarge,
                $"content_length {contentLength} is over S3's largest object, {S3Options.MaxObjectBytes} bytes (5 TiB).");
        }
        var partSize = configured;
        var needed = (contentLength + S3Options.MaxParts - 1) / S3Options.MaxParts;
        if (needed > partSize)
        {
            partSize = (needed + S3Options.MiB - 1) / S3Options.MiB * S3Options.MiB;
        }
        return (partSize, PartMath.PartCount(contentLength, partSize));
    }
}
