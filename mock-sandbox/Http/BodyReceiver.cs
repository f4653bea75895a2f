using System.Buffers;
using System.Security.Cryptography;

namespace MockSandbox.Http;

/// <summary>
/// Streams a request body to disk through SHA-256, 64 KiB at a time: memory stays flat whatever the size.
/// Works the same for <c>Content-Length</c> and chunked bodies, since lengths are counted, not trusted.
/// </summary>
internal static class BodyReceiver
{
    private const int BufferSize = 64 * 1024;

    /// <summary>
    /// Reads <paramref name="body"/> to its end, or until more than <paramref name="countLimit"/> bytes have
    /// come (then stops: the caller answers 413 without taking the rest). Writes at most
    /// <paramref name="writeLimit"/> bytes to <paramref name="sink"/> (null: hash only, as for a replayed part).
    /// </summary>
    public static async Task<ReceivedBody> ReceiveAsync(Stream body, Stream? sink, long writeLimit, long countLimit, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
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
                hash.AppendData(buffer, 0, read);
                if (sink is not null && received < writeLimit)
                {
                    await sink.WriteAsync(buffer.AsMemory(0, (int)Math.Min(read, writeLimit - received)), cancellationToken);
                }
                received += read;
            }
            if (sink is not null)
            {
                await sink.FlushAsync(cancellationToken);
            }
            return new ReceivedBody(received, hash.GetHashAndReset());
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
        Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        BufferSize = 0,
        PreallocationSize = expectedLength,
    });
}

/// <summary>How many bytes a body had and their SHA-256 (of everything read, including any excess).</summary>
internal sealed record ReceivedBody(long Length, byte[] Sha256)
{
    public string Sha256Hex => Convert.ToHexStringLower(Sha256);
}
