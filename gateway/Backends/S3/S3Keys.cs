using System.Text;
using Gateway.Domain;

namespace Gateway.Backends.S3;

/// <summary>
/// Object keys: the client's key checked, the backend's <c>KeyPrefix</c> put in front, and the staging key a session
/// assembles under before it is published (S3Backend, complete).
/// </summary>
internal static class S3Keys
{
    /// <summary>S3's limit on a key, in UTF-8 bytes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html).</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>Where sessions assemble, under the backend's prefix; no client key may start with it.</summary>
    public const string StagingFolder = ".upload-gateway/";

    /// <summary>
    /// Refuses a key that is empty, over 1,024 bytes with the prefix, starts with <c>/</c>, has a <c>.</c> or
    /// <c>..</c> segment (a store or a tool that maps keys onto paths resolves them), control characters or look-alikes
    /// of the separators (<see cref="TargetNames"/>), or names the staging folder.
    /// </summary>
    public static void Validate(string? key, string prefix)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new GatewayException(ErrorCode.InvalidTarget, "target.key is required: the object's key in the bucket.");
        }
        TargetNames.RefuseUnsafeCharacters(key, "key");
        if (key.StartsWith('/'))
        {
            throw new GatewayException(ErrorCode.InvalidTarget, "target.key may not start with '/'.");
        }
        if (key.Split('/').Any(segment => segment is "." or ".."))
        {
            throw new GatewayException(ErrorCode.InvalidTarget, "target.key may not have a '.' or '..' segment.");
        }
        if (key.StartsWith(StagingFolder, StringComparison.Ordinal))
        {
            throw new GatewayException(ErrorCode.InvalidTarget, $"target.key may not start with '{StagingFolder}' (the gateway's staging folder).");
        }
        if (!IsWellFormedUtf16(key))
        {
            throw new GatewayException(ErrorCode.InvalidTarget, "target.key is not valid Unicode.");
        }
        if (Encoding.UTF8.GetByteCount(prefix + key) > MaxKeyBytes)
        {
            throw new GatewayException(ErrorCode.InvalidTarget,
                $"target.key may have at most {MaxKeyBytes - Encoding.UTF8.GetByteCount(prefix)} bytes in UTF-8 on this backend.");
        }
    }

    public static string Object(string prefix, string key) => prefix + key;

    public static string Staging(string prefix, string uploadId) => prefix + StagingFolder + uploadId;

    /// <summary>A key in a URL path: each segment escaped, the slashes kept (S3 takes keys as paths; SigV4 for s3 does not escape twice).</summary>
    public static string EscapePath(string key) => string.Join('/', key.Split('/').Select(Uri.EscapeDataString));

    private static bool IsWellFormedUtf16(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }
        return true;
    }
}
