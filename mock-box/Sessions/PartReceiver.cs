using System.Buffers;
using System.Security.Cryptography;

namespace MockBox.Sessions;

/// <summary>
/// Streams a part's body to disk, computing its SHA-1 on the way: one pooled buffer, whatever the part
/// size, so memory stays flat. Reads at most one byte more than expected, enough to tell "too long".
/// </summary>
/// <remarks>
/// The file is written synchronously on the request's thread: a write lands in the page cache at memory speed,
/// where an asynchronous <see cref="FileStream"/> on Linux hands each 64 KiB to another thread-pool thread and back.
/// </remarks>
internal static class PartReceiver
{
    public const int BufferSize = 64 * 1024;

    public readonly record struct Received(long Length, bool TooLong, byte[] Sha1);

    public static async Task<Received> ReceiveAsync(Stream body, string path, long expectedLength, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            long length = 0;
            while (true)
            {
                // Never ask for more than one byte past the expected end.
                var want = (int)Math.Min(buffer.Length, expectedLength + 1 - length);
                var read = await body.ReadAsync(buffer.AsMemory(0, want), cancellationToken);
                if (read == 0)
                {
                    break;
                }
                length += read;
                if (length > expectedLength)
                {
                    return new Received(length, TooLong: true, []);
                }
                sha1.AppendData(buffer, 0, read);
                file.Write(buffer, 0, read);
            }
            return new Received(length, TooLong: false, sha1.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
