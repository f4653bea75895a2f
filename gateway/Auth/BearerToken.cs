using System.Diagnostics.CodeAnalysis;
using Microsoft.Net.Http.Headers;

namespace Gateway.Auth;

/// <summary><c>Authorization: Bearer &lt;token&gt;</c> (RFC 6750 §2.1).</summary>
internal static class BearerToken
{
    private const int MaxLength = 8192;

    public static bool TryRead(HttpRequest request, [NotNullWhen(true)] out string? token)
    {
        token = null;
        var header = request.Headers[HeaderNames.Authorization];
        if (header.Count != 1 || header[0] is not { } value || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var candidate = value["Bearer ".Length..].Trim();
        if (candidate.Length is 0 or > MaxLength || candidate.Any(c => c <= ' ' || c > '~'))
        {
            return false;
        }
        token = candidate;
        return true;
    }

    /// <summary>A JWT in compact serialization has three dot-separated parts; API keys have none.</summary>
    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2;
}
