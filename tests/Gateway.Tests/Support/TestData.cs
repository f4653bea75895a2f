using System.Security.Cryptography;

namespace Gateway.Tests.Support;

/// <summary>Deterministic test bytes and their digests.</summary>
public static class TestData
{
    public static byte[] Bytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static string Sha1Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA1.HashData(data));

    /// <summary>An RFC 9530 Content-Digest header value for these bytes.</summary>
    public static string ContentDigest(ReadOnlySpan<byte> data, bool sha256 = true, bool sha1 = false)
    {
        var members = new List<string>();
        if (sha256)
        {
            members.Add("sha-256=:" + Convert.ToBase64String(SHA256.HashData(data)) + ":");
        }
        if (sha1)
        {
            members.Add("sha=:" + Convert.ToBase64String(SHA1.HashData(data)) + ":");
        }
        return string.Join(", ", members);
    }
}
