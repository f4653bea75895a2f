using System.Buffers;
using System.Security.Cryptography;
using Gateway.Domain;

namespace Gateway.Rechunking;

/// <summary>Bytes that must wait for a later request, appended to a staged file and flushed to disk before any offset counts them.</summary>
internal static class StagedAppend
{
    /// <summary>
    /// Appends up to <paramref name="count"/> body bytes to <paramref name="path"/> and flushes them to disk. A body
    /// that breaks off keeps what arrived (resumable protocols ask servers to keep as much as they can), unless the
    /// chunk carries a checksum: then all of it or none (the file is cut back to <paramref name="lengthBefore"/>).
    /// </summary>
    public static async Task<long> AppendAsync(string path, Stream body, long count, ChunkChecksum? checksum, long lengthBefore, CancellationToken cancellationToken)
    {
        using var digest = checksum is null ? null : IncrementalHash.CreateHash(checksum.Algorithm);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        long written = 0;
        ChunkStaging.CreateFolder(Path.GetDirectoryName(path)!);
        var file = new FileStream(path, PrivateFolder.NewFile(FileMode.Append, FileAccess.Write, FileShare.Read, FileOptions.Asynchronous, 64 * 1024));
        try
        {
            while (written < count)
            {
                int read;
                try
                {
                    read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count - written)), cancellationToken);
                }
                catch when (checksum is null)
                {
                    await file.FlushAsync(CancellationToken.None);
                    file.Flush(flushToDisk: true);
                    throw;
                }
                if (read == 0)
                {
                    break;
                }
                await file.WriteAsync(buffer.AsMemory(0, read), CancellationToken.None);
                digest?.AppendData(buffer, 0, read);
                written += read;
            }
            await file.FlushAsync(CancellationToken.None);
            file.Flush(flushToDisk: true);
            if (checksum is not null)
            {
                if (written < count || !digest!.GetHashAndReset().AsSpan().SequenceEqual(checksum.Expected))
                {
                    await file.DisposeAsync();
                    ChunkStaging.Truncate(path, lengthBefore);
                    throw written < count
                        ? new GatewayException(ErrorCode.InvalidRequest, $"The body ended after {written} of its {count} bytes; the chunk was discarded.")
                        : new GatewayException(ErrorCode.ChecksumMismatch,
                            $"The chunk's {checksum.Name} differs from the one the request sent; it was discarded and the offset is unchanged.");
                }
            }
            return written;
        }
        catch when (checksum is not null)
        {
            await file.DisposeAsync();
            ChunkStaging.Truncate(path, lengthBefore);
            throw;
        }
        finally
        {
            await file.DisposeAsync();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies <paramref name="count"/> bytes of <paramref name="source"/> from <paramref name="from"/> into a new <paramref name="target"/>, durably.</summary>
    public static async Task CopyRestAsync(FileStream source, long from, long count, FileStream target)
    {
        source.Seek(from, SeekOrigin.Begin);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var left = count;
            while (left > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)));
                if (read == 0)
                {
                    break;
                }
                await target.WriteAsync(buffer.AsMemory(0, read));
                left -= read;
            }
            target.Flush(flushToDisk: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Whether a body without a declared length has bytes beyond what was wanted of it.</summary>
    public static async Task<bool> HasMoreAsync(Stream body, CancellationToken cancellationToken)
    {
        var probe = new byte[1];
        return await body.ReadAsync(probe, cancellationToken) > 0;
    }
}
