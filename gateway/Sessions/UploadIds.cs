using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Gateway.Sessions;

/// <summary>
/// The one rule for upload ids: <c>up_</c> plus 160 random bits in lowercase base32. Every front checks an id
/// from the wire against it before the id reaches the store, a file name or a message, so a path segment such as
/// <c>events</c> (a shard key's suffix) or one with CR/LF is a plain 404, never a store error or a forged log line.
/// </summary>
internal static partial class UploadIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>Unguessable, URL-, file-name- and Redis-safe.</summary>
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[20];
        RandomNumberGenerator.Fill(bytes);
        Span<char> text = stackalloc char[32];
        for (var i = 0; i < 32; i++)
        {
            var bit = i * 5;
            var value = ((bytes[bit / 8] << 8) | (bit / 8 + 1 < bytes.Length ? bytes[bit / 8 + 1] : 0)) >> (11 - bit % 8);
            text[i] = Alphabet[value & 31];
        }
        return "up_" + new string(text);
    }

    public static bool IsWellFormed(string? id) => id is not null && Pattern().IsMatch(id);

    [GeneratedRegex("^up_[a-z2-7]{32}$")]
    private static partial Regex Pattern();
}
