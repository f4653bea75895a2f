using System.Security.Cryptography;

namespace MockSandbox.Tests.Support;

/// <summary>
/// Deterministic content addressed by position: byte <c>p</c> of file <c>seed</c> is a function of
/// (seed, p), so any part can be produced, uploaded and checked without holding the whole file.
/// </summary>
internal static class TestData
{
    public static void Fill(long seed, long offset, Span<byte> destination)
    {
        var position = offset;
        var i = 0;
        while (i < destination.Length)
        {
            var word = Word(seed, position / 8);
            for (var b = (int)(position % 8); b < 8 && i < destination.Length; b++, i++, position++)
            {
                destination[i] = (byte)(word >> (8 * b));
            }
        }
    }

    public static byte[] Bytes(long seed, long offset, int length)
    {
        var bytes = new byte[length];
        Fill(seed, offset, bytes);
        return bytes;
    }

    public static string Sha256Hex(long seed, long offset, long length)
    {
        using var stream = new GeneratedStream(seed, offset, length);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Reads <paramref name="actual"/> to its end and checks it equals bytes <c>[offset, offset+length)</c> of file <paramref name="seed"/>.</summary>
    public static async Task AssertStreamEqualsAsync(long seed, long offset, long length, Stream actual)
    {
        var got = new byte[1024 * 1024];
        var want = new byte[got.Length];
        long position = 0;
        while (true)
        {
            var read = await actual.ReadAtLeastAsync(got, got.Length, throwOnEndOfStream: false);
            if (read == 0)
            {
                break;
            }
            Assert.True(position + read <= length, $"the stream is longer than the expected {length} bytes");
            Fill(seed, offset + position, want.AsSpan(0, read));
            if (!got.AsSpan(0, read).SequenceEqual(want.AsSpan(0, read)))
            {
                var at = got.AsSpan(0, read).CommonPrefixLength(want.AsSpan(0, read));
                Assert.Fail($"content differs at byte {position + at}");
            }
            position += read;
        }
        Assert.Equal(length, position);
    }

    // SplitMix64: fast, well mixed, stateless.
    private static ulong Word(long seed, long index)
    {
        var z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)index * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>A read-only stream of <see cref="TestData"/> bytes, generated as it is read.</summary>
internal sealed class GeneratedStream(long seed, long offset, long length) : Stream
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

    public override int Read(byte[] buffer, int offset1, int count) => Read(buffer.AsSpan(offset1, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        TestData.Fill(seed, offset + _position, buffer[..count]);
        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset1, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset1, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset1, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset1, int count) => throw new NotSupportedException();
}
