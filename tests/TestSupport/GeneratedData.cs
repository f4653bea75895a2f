using System.Buffers.Binary;
using System.Security.Cryptography;
using Xunit;

namespace TestSupport;

/// <summary>
/// Deterministic content addressed by position: byte <c>p</c> of file <c>seed</c> is a function of (seed, p),
/// so a test can generate any range on demand, hash it, send it and compare what comes back without ever
/// holding the whole file.
/// </summary>
public static class GeneratedData
{
    public static void Fill(long seed, long offset, Span<byte> destination)
    {
        Span<byte> word = stackalloc byte[8];
        var position = offset;
        var written = 0;
        while (written < destination.Length)
        {
            var within = (int)(position % 8);
            BinaryPrimitives.WriteUInt64LittleEndian(word, SplitMix64(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL) ^ (ulong)(position / 8)));
            var take = Math.Min(8 - within, destination.Length - written);
            word.Slice(within, take).CopyTo(destination[written..]);
            written += take;
            position += take;
        }
    }

    public static byte[] Bytes(long seed, long offset, int length)
    {
        var bytes = new byte[length];
        Fill(seed, offset, bytes);
        return bytes;
    }

    public static byte[] Sha1(long seed, long offset, long length)
    {
        using var stream = new GeneratedStream(seed, offset, length);
        return SHA1.HashData(stream);
    }

    public static string Sha1Base64(long seed, long offset, long length) => Convert.ToBase64String(Sha1(seed, offset, length));

    public static string Sha1Hex(long seed, long offset, long length) => Convert.ToHexStringLower(Sha1(seed, offset, length));

    public static string Sha256Hex(long seed, long offset, long length)
    {
        using var stream = new GeneratedStream(seed, offset, length);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Reads <paramref name="actual"/> to its end and checks it is exactly bytes <c>[offset, offset+length)</c> of file <paramref name="seed"/>.</summary>
    public static async Task AssertStreamEqualsAsync(long seed, long offset, long length, Stream actual)
    {
        var received = new byte[256 * 1024];
        var expected = new byte[received.Length];
        long position = 0;
        while (true)
        {
            var read = await actual.ReadAtLeastAsync(received, received.Length, throwOnEndOfStream: false);
            if (read == 0)
            {
                break;
            }
            Assert.True(position + read <= length, $"more than {length} bytes came back");
            Fill(seed, offset + position, expected.AsSpan(0, read));
            if (!received.AsSpan(0, read).SequenceEqual(expected.AsSpan(0, read)))
            {
                Assert.Fail($"content differs at byte {position + received.AsSpan(0, read).CommonPrefixLength(expected.AsSpan(0, read))}");
            }
            position += read;
        }
        Assert.Equal(length, position);
    }

    // SplitMix64: fast, well mixed, stateless.
    private static ulong SplitMix64(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}

/// <summary>A read-only, forward-only stream over a range of <see cref="GeneratedData"/>: the bytes exist only while being read.</summary>
public sealed class GeneratedStream(long seed, long offset, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offsetInBuffer, int count) => Read(buffer.AsSpan(offsetInBuffer, count));

    public override int Read(Span<byte> buffer)
    {
        var take = (int)Math.Min(buffer.Length, length - _position);
        if (take <= 0)
        {
            return 0;
        }
        GeneratedData.Fill(seed, offset + _position, buffer[..take]);
        _position += take;
        return take;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offsetInBuffer, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer, offsetInBuffer, count));

    public override void Flush()
    {
    }

    public override long Seek(long offsetToSeek, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offsetInBuffer, int count) => throw new NotSupportedException();
}
