using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.UploadTokens;

/// <summary>
/// An upload token is <c>ut_&lt;id&gt;_&lt;secret&gt;</c>: an opaque reference to a grant in the store, not a
/// self-contained JWT. Every use must be checked against the store anyway (revocation effective on every
/// instance at once, <c>max_uploads</c> counted across instances, which sessions the token created), so a
/// signature would add a key to rotate and guard without saving a round trip; and an opaque token has no
/// header to tamper with (<c>alg</c>, <c>kid</c>). The id (100 bits) names the grant and is what revocation and
/// logs use; the secret (256 bits) is kept in the store only as its SHA-256 and compared in constant time.
/// </summary>
internal static class UploadTokenFormat
{
    public const string Prefix = "ut_";
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private const int IdLength = 20;
    private const int SecretLength = 52;

    public static (string TokenId, string Token, string SecretHash) New()
    {
        var id = Prefix + Random(IdLength);
        var secret = Random(SecretLength);
        return (id, id + "_" + secret, Hash(secret));
    }

    /// <summary>Whether a bearer token is meant as an upload token (it then never falls through to API keys or JWTs).</summary>
    public static bool Looks(string token) => token.StartsWith(Prefix, StringComparison.Ordinal);

    public static bool TryParse(string token, [NotNullWhen(true)] out string? tokenId, [NotNullWhen(true)] out string? secret)
    {
        tokenId = secret = null;
        var separator = Prefix.Length + IdLength;
        if (token.Length != separator + 1 + SecretLength || !Looks(token) || token[separator] != '_'
            || !IsBase32(token.AsSpan(Prefix.Length, IdLength)) || !IsBase32(token.AsSpan(separator + 1)))
        {
            return false;
        }
        (tokenId, secret) = (token[..separator], token[(separator + 1)..]);
        return true;
    }

    public static bool IsTokenId(string? text) =>
        text is { Length: IdLength + 3 } && text.StartsWith(Prefix, StringComparison.Ordinal) && IsBase32(text.AsSpan(Prefix.Length));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(secret)));

    public static bool SecretMatches(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));

    private static bool IsBase32(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!Alphabet.Contains(c))
            {
                return false;
            }
        }
        return true;
    }

    private static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
