using System.Text;
using Gateway.Domain;

namespace Gateway.Api.Tus;

/// <summary>
/// <c>Upload-Metadata</c>: comma-separated pairs of a key and its base64 value (the value may be left out).
/// A malformed pair is a 400 that names its key, so a client knows which of its fields to fix.
/// </summary>
internal static class TusMetadata
{
    /// <summary>Longest header taken: metadata is routing and names, not content.</summary>
    public const int MaxLength = 8 * 1024;

    public static IReadOnlyDictionary<string, string> Parse(string? header)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(header))
        {
            return result;
        }
        if (header.Length > MaxLength)
        {
            throw Bad($"Upload-Metadata may have at most {MaxLength} characters.", null);
        }
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        foreach (var pair in header.Split(','))
        {
            var parts = pair.Trim().Split(' ');
            var key = parts[0];
            if (key.Length == 0 || parts.Length > 2 || key.Any(c => c <= ' ' || c > '~'))
            {
                throw Bad("Upload-Metadata pairs are \"key base64value\", separated by commas; keys are printable ASCII without spaces.", key.Length == 0 ? null : key);
            }
            if (result.ContainsKey(key))
            {
                throw Bad($"Upload-Metadata names '{key}' twice.", key);
            }
            var value = "";
            if (parts.Length == 2)
            {
                try
                {
                    value = strict.GetString(Convert.FromBase64String(parts[1]));
                }
                catch (Exception e) when (e is FormatException or ArgumentException)
                {
                    throw Bad($"Upload-Metadata '{key}' is not base64 of UTF-8 text.", key);
                }
            }
            result[key] = value;
        }
        return result;
    }

    private static GatewayException Bad(string detail, string? key) => new(ErrorCode.InvalidRequest, detail)
    {
        Extensions = key is null ? null : new Dictionary<string, object?> { ["metadata_key"] = key },
    };
}
