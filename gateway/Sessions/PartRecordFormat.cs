using System.Buffers;
using System.Globalization;
using System.Text;

namespace Gateway.Sessions;

/// <summary>
/// A part record as the Redis store keeps it, one value of the session's parts hash: the SHA-256 first, at a fixed
/// width, so the scripts compare digests without parsing (<c>end_part.lua</c>). Binary, because a hash whose values
/// all fit in 64 bytes stays a compact listpack (docs/BENCHMARKS.md, "Redis footprint"):
/// <c>sha256 (32 bytes) · varint(size·2 + has sha1) · sha1 (20 bytes, if any) · backend part id (UTF-8, the rest)</c>.
/// A sandbox part takes 36 bytes, a Box part 64. Records written before, <c>sha256|size|sha1|part id</c> in hex and
/// text, still decode; digests read back as lowercase hex.
/// </summary>
internal static class PartRecordFormat
{
    private const int Sha256Bytes = 32;
    private const int Sha1Bytes = 20;

    public static byte[] Encode(PartRecord part)
    {
        if (!IsHex(part.Sha256, 2 * Sha256Bytes) || part.Sha1 is { } sha1Hex && !IsHex(sha1Hex, 2 * Sha1Bytes))
        {
            throw new ArgumentException($"Part {part.Number}: a part record holds a SHA-256 of 64 and a SHA-1 of 40 hex characters.", nameof(part));
        }
        var buffer = new ArrayBufferWriter<byte>(Sha256Bytes + 10 + Sha1Bytes + (part.BackendPartId?.Length ?? 0) * 3);
        buffer.Write(Convert.FromHexString(part.Sha256));
        var header = (ulong)part.Size << 1 | (part.Sha1 is null ? 0UL : 1UL);
        do
        {
            var low = (byte)(header & 0x7F);
            header >>= 7;
            buffer.Write([header == 0 ? low : (byte)(low | 0x80)]);
        }
        while (header != 0);
        if (part.Sha1 is not null)
        {
            buffer.Write(Convert.FromHexString(part.Sha1));
        }
        if (part.BackendPartId is { Length: > 0 } id)
        {
            buffer.Write(Encoding.UTF8.GetBytes(id));
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static PartRecord Decode(int number, byte[] stored)
    {
        var at = Sha256Bytes;
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
        string? sha1 = null;
        if ((header & 1) == 1)
        {
            sha1 = Convert.ToHexStringLower(stored, at, Sha1Bytes);
            at += Sha1Bytes;
        }
        return new PartRecord(number, (long)(header >> 1), Convert.ToHexStringLower(stored, 0, Sha256Bytes), sha1,
            at < stored.Length ? Encoding.UTF8.GetString(stored, at, stored.Length - at) : null);
    }

    private static bool IsHex(string text, int length) =>
        text.Length == length && text.AsSpan().IndexOfAnyExcept("0123456789abcdefABCDEF") < 0;
}
