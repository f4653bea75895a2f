using System.Buffers;
using System.Security.Cryptography;

namespace MockSandbox.Http;

/// <summary>
/// Streams a request body to disk, 64 KiB at a time, through SHA-256 when the caller needs the digest: memory
/// stays flat whatever the size. Works the same for <c>Content-Length</c> and chunked bodies, since lengths are
/// counted, not trusted.
/// </summary>
/// <remarks>
/// The file is written synchronously on the request's thread: a write lands in the page cache at memory speed,
/// and an asynchronous <see cref="FileStream"/> on Linux would hand each 64 KiB to another thread-pool thread
/// and back (measured: 16 thread hand-offs per MiB in the mock, on the benchmark's shared cores).
/// </remarks>
internal static class BodyReceiver
{
    private const int BufferSize = 64 * 1024;

    /// <summary>
    /// Reads <paramref name="body"/> to its end, or until more than <paramref name="countLimit"/> bytes have
    /// come (then stops: the caller answers 413 without taking the rest). Writes at most
    /// <paramref name="writeLimit"/> bytes to <paramref name="sink"/> (null: count only, as for a replayed part),
    /// and hashes what it reads when <paramref name="sha256"/> is set.
    /// </summary>
    public static async Task<ReceivedBody> ReceiveAsync(Stream body, Stream? sink, long writeLimit, long countLimit, bool sha256, CancellationToken cancellationToken)
    {
        using var hash = sha256 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long received = 0;
            while (received <= countLimit)
            {
                var read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken);
                if (read == 0)
                {
                    break;
                }
                hash?.AppendData(buffer, 0, read);
                if (sink is not null && received < writeLimit)
                {
                    sink.Write(buffer, 0, (int)Math.Min(read, writeLimit - received));
                }
                received += read;
            }
            sink?.Flush();
            return new ReceivedBody(received, hash?.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A new file for a body, written without an extra buffer layer and preallocated when the length is known.</summary>
    public static FileStream CreateFile(string path, long expectedLength) => new(path, new FileStreamOptions
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        Share = FileShare.None,
        Options = FileOptions.SequentialScan,
        BufferSize = 0,
        PreallocationSize = expectedLength,
    });
}

/// <summary>How many bytes a body had and, when asked for, their SHA-256 (of everything read, including any excess).</summary>
internal sealed record ReceivedBody(long Length, byte[]? Sha256)
{
    /// <summary>The SHA-256 of a file already written, for a digest that was not needed while it was received.</summary>
    public static byte[] Sha256Of(string path)
    {
        using var file = File.OpenRead(path);
        return SHA256.HashData(file);
    }
}
