using System.Buffers;
using System.Text;
using Gateway.Domain;

namespace Gateway.Sessions;

/// <summary>
/// A part record as the Redis store keeps it, one value of the session's parts hash: the digest the part is known
/// by first, after the byte that says its kind, so the scripts compare parts by a prefix without parsing
/// (<c>end_part.lua</c>). Binary, because a hash whose values all fit in 64 bytes stays a compact listpack
/// (docs/BENCHMARKS.md, "Redis footprint"):
/// <c>key kind (1 byte) · key digest (32 bytes SHA-256, 20 SHA-1, none for a part known by no digest) ·
/// varint(size·2 + has the other digest) · the other digest (if any) · backend part id (UTF-8, the rest)</c>. A
/// sandbox part takes 37 bytes, a Box part sent with its SHA-1 alone 33, a re-chunked sandbox part 5. A part known by
/// no digest is compared by its whole record (size and part id). Records of kind 4, re-chunked parts known by the
/// whole-object SHA-256 at their end (written by the previous build, docs/deploy.md), read back as known by no
/// digest. Digests read back as lowercase hex.
/// </summary>
internal static class PartRecordFormat
{
    /// <summary>Kind byte of a record written when re-chunked parts were known by the running whole-object SHA-256.</summary>
    private const byte RunningKind = 4;

    /// <summary>
    /// How many leading bytes of an <paramref name="encoded"/> record identify its bytes: the key's kind and digest, or the whole
    /// record of a part known by no digest.
    /// </summary>
    public static int KeyLength(byte[] encoded) => encoded[0] == (byte)DigestKinds.None ? encoded.Length : 1 + Width((DigestKinds)encoded[0]);

    public static byte[] Encode(PartRecord part)
    {
        if (part.Key is not (DigestKinds.Sha256 or DigestKinds.Sha1 or DigestKinds.None)
            || part.Sha256 is { } sha256 && !IsHex(sha256, 2 * Width(DigestKinds.Sha256))
            || part.Sha1 is { } sha1 && !IsHex(sha1, 2 * Width(DigestKinds.Sha1))
            || part.Key == DigestKinds.None && part.Sha256 is not null
            || part.Key == DigestKinds.Sha256 && part.Sha256 is null
            || part.Key == DigestKinds.Sha1 && part.Sha1 is null)
        {
            throw new ArgumentException(
                $"Part {part.Number}: a part record is known by its SHA-256 or its SHA-1, which it holds (64 and 40 hex characters), or by no digest (then without a SHA-256).",
                nameof(part));
        }
        var other = part.Key == DigestKinds.Sha1 ? part.Sha256 : part.Sha1;
        var buffer = new ArrayBufferWriter<byte>(1 + 32 + 10 + 32 + (part.BackendPartId?.Length ?? 0) * 3);
        buffer.Write([(byte)part.Key]);
        if (part.KeyDigest is { } key)
        {
            buffer.Write(Convert.FromHexString(key));
        }
        var header = (ulong)part.Size << 1 | (other is null ? 0UL : 1UL);
        do
        {
            var low = (byte)(header & 0x7F);
            header >>= 7;
            buffer.Write([header == 0 ? low : (byte)(low | 0x80)]);
        }
        while (header != 0);
        if (other is not null)
        {
            buffer.Write(Convert.FromHexString(other));
        }
        if (part.BackendPartId is { Length: > 0 } id)
        {
            buffer.Write(Encoding.UTF8.GetBytes(id));
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static PartRecord Decode(int number, byte[] stored)
    {
        var key = stored[0] == RunningKind ? DigestKinds.None : (DigestKinds)stored[0];
        var otherKind = key == DigestKinds.Sha1 ? DigestKinds.Sha256 : DigestKinds.Sha1;
        var width = stored[0] == RunningKind ? 32 : Width(key);
        var keyDigest = width == 0 ? null : Convert.ToHexStringLower(stored, 1, width);
        var at = 1 + width;
        var header = 0UL;
        for (var shift = 0; ; shift += 7)
        {
            var b = stored[at++];
            header |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }
        string? other = null;
        if ((header & 1) == 1)
        {
            other = Convert.ToHexStringLower(stored, at, Width(otherKind));
            at += Width(otherKind);
        }
        var partId = at < stored.Length ? Encoding.UTF8.GetString(stored, at, stored.Length - at) : null;
        var size = (long)(header >> 1);
        return key switch
        {
            DigestKinds.Sha1 => new PartRecord(number, size, key, other, keyDigest, partId),
            DigestKinds.None => new PartRecord(number, size, key, null, other, partId),
            _ => new PartRecord(number, size, key, keyDigest, other, partId),
        };
    }

    private static int Width(DigestKinds kind) => kind switch { DigestKinds.None => 0, DigestKinds.Sha1 => 20, _ => 32 };

    private static bool IsHex(string text, int length) =>
        text.Length == length && text.AsSpan().IndexOfAnyExcept("0123456789abcdefABCDEF") < 0;
}
