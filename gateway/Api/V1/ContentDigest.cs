using Gateway.Domain;

namespace Gateway.Api.V1;

/// <summary>
/// Parses <c>Content-Digest</c> (RFC 9530 §2), e.g. <c>sha-256=:base64:, sha=:base64:</c>: a structured-field
/// dictionary (RFC 8941 §3.2) whose values are byte sequences. Algorithms the gateway does not check are
/// ignored, as RFC 9530 §2 allows; a malformed field or a digest of the wrong length is refused.
/// </summary>
internal static class ContentDigest
{
    private const int MaxLength = 1024;

    public static bool TryParse(string? header, out PartDigests digests, out string? error)
    {
        digests = PartDigests.None;
        error = null;
        if (header is null)
        {
            return true;
        }
        if (header.Length is 0 or > MaxLength)
        {
            error = "Content-Digest is empty or longer than 1024 characters.";
            return false;
        }
        byte[]? sha256 = null, sha1 = null;
        foreach (var raw in header.Split(','))
        {
            var member = raw.Trim(' ', '\t');
            var parameters = member.IndexOf(';');
            if (parameters >= 0)
            {
                member = member[..parameters];
            }
            var equals = member.IndexOf('=');
            if (equals <= 0 || !IsKey(member.AsSpan(0, equals)))
            {
                error = $"Content-Digest member '{Shorten(member)}' is not of the form algorithm=:base64:.";
                return false;
            }
            var value = member[(equals + 1)..];
            if (value.Length < 2 || value[0] != ':' || value[^1] != ':')
            {
                error = $"Content-Digest value of '{member[..equals]}' must be a byte sequence, :base64:.";
                return false;
            }
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(value[1..^1]);
            }
            catch (FormatException)
            {
                error = $"Content-Digest value of '{member[..equals]}' is not base64.";
                return false;
            }
            switch (member[..equals])
            {
                case "sha-256" when bytes.Length == 32:
                    sha256 = bytes;
                    break;
                case "sha" when bytes.Length == 20:
                    sha1 = bytes;
                    break;
                case "sha-256" or "sha":
                    error = $"Content-Digest '{member[..equals]}' has {bytes.Length} bytes, which is not a digest of that algorithm.";
                    return false;
            }
        }
        digests = new PartDigests(sha256, sha1);
        return true;
    }

    // RFC 8941 §3.1.2: key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )
    private static bool IsKey(ReadOnlySpan<char> key)
    {
        if (key.Length == 0 || !(char.IsAsciiLetterLower(key[0]) || key[0] == '*'))
        {
            return false;
        }
        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-' or '.' or '*'))
            {
                return false;
            }
        }
        return true;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
