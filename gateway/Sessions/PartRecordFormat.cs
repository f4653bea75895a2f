using System.Buffers;
using System.Text;
using Gateway.Domain;

namespace Gateway.Sessions;

/// <summary>
/// A part record as the Redis store keeps it, one value of the session's parts hash: the digest the part is known
/// by first, after the byte that says its kind, so the scripts compare parts by a prefix without parsing
/// (<c>end_part.lua</c>). Binary, because a hash whose values all fit in 64 bytes stays a compact listpack
/// (docs/BENCHMARKS.md, "Redis footprint"):
/// <c>key kind (1 byte) · key digest (32 bytes SHA-256, 20 SHA-1) · varint(size·2 + has the other digest) · the
/// other digest (if any) · backend part id (UTF-8, the rest)</c>. A sandbox part takes 37 bytes, a Box part sent
/// with its SHA-1 alone 33. A re-chunked part known by its running SHA-256 (kind 4) has the same layout, the SHA-1
/// as its other digest; records written before that kind existed read back as they were. Digests read back as
/// lowercase hex.
/// </summary>
internal static class PartRecordFormat
{
    /// <summary>How many leading bytes of an encoded record identify its bytes: the key's kind and digest.</summary>
    public static int KeyLength(PartRecord part) => 1 + Width(part.Key);

    public static byte[] Encode(PartRecord part)
    {
        if (part.Key is not (DigestKinds.Sha256 or DigestKinds.Sha1 or DigestKinds.Running)
            || part.Sha256 is { } sha256 && !IsHex(sha256, 2 * Width(DigestKinds.Sha256))
            || part.Sha1 is { } sha1 && !IsHex(sha1, 2 * Width(DigestKinds.Sha1))
            || part.Running is { } running && !IsHex(running, 2 * Width(DigestKinds.Running))
            || part.Key == DigestKinds.Running && part.Sha256 is not null
            || part.Key switch { DigestKinds.Sha1 => part.Sha1, DigestKinds.Running => part.Running, _ => part.Sha256 } is null)
        {
            throw new ArgumentException(
                $"Part {part.Number}: a part record is known by its SHA-256, its SHA-1 or its running SHA-256 (without a SHA-256 of its own), which it holds (64, 40 and 64 hex characters).",
                nameof(part));
        }
        var other = part.Key == DigestKinds.Sha1 ? part.Sha256 : part.Sha1;
        var buffer = new ArrayBufferWriter<byte>(1 + 32 + 10 + 32 + (part.BackendPartId?.Length ?? 0) * 3);
        buffer.Write([(byte)part.Key]);
        buffer.Write(Convert.FromHexString(part.KeyDigest));
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
        var key = (DigestKinds)stored[0];
        var otherKind = key == DigestKinds.Sha1 ? DigestKinds.Sha256 : DigestKinds.Sha1;
        var keyDigest = Convert.ToHexStringLower(stored, 1, Width(key));
        var at = 1 + Width(key);
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
            DigestKinds.Running => new PartRecord(number, size, key, null, other, partId) { Running = keyDigest },
            _ => new PartRecord(number, size, key, keyDigest, other, partId),
        };
    }

    private static int Width(DigestKinds kind) => kind == DigestKinds.Sha1 ? 20 : 32;

    private static bool IsHex(string text, int length) =>
        text.Length == length && text.AsSpan().IndexOfAnyExcept("0123456789abcdefABCDEF") < 0;
}
