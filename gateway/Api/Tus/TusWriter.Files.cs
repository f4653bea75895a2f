using System.Security.Cryptography;
using Gateway.Domain;

namespace Gateway.Api.Tus;

/// <summary>The staged tail on disk: bytes appended and flushed before any offset counts them, and moved between parts.</summary>
internal sealed partial class TusWriter
{
    /// <summary>A tail that held more than one part (a verified chunk): what follows part <paramref name="part"/> becomes the next part's tail.</summary>
    private async Task MoveRestAsync(string id, int part, long from, long count)
    {
        await using var source = staging.ReadTail(id, part);
        source.Seek(from, SeekOrigin.Begin);
        staging.DeleteTail(id, part + 1);
        await using var target = staging.OpenTail(id, part + 1);
        var buffer = new byte[64 * 1024];
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

    /// <summary>
    /// Appends up to <paramref name="count"/> body bytes to the tail and flushes them to disk before the offset
    /// counts them. A body that breaks off keeps what arrived (tus asks servers to keep as much as they can),
    /// unless the chunk carries a checksum: then all of it or none.
    /// </summary>
    private Task<long> AppendAsync(string id, int part, Stream body, long count, TusChecksum? checksum, long tailBefore, CancellationToken cancellationToken) =>
        AppendToAsync(staging.TailPath(id, part), body, count, checksum, tailBefore, cancellationToken);

    /// <summary>
    /// Appends up to <paramref name="count"/> body bytes to <paramref name="path"/> and flushes them to disk
    /// before any offset counts them; with a checksum, all of them or none.
    /// </summary>
    public static async Task<long> AppendToAsync(string path, Stream body, long count, TusChecksum? checksum, long lengthBefore, CancellationToken cancellationToken)
    {
        using var digest = checksum is null ? null : IncrementalHash.CreateHash(checksum.Algorithm);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        long written = 0;
        TusStaging.CreateFolder(Path.GetDirectoryName(path)!);
        var file = new FileStream(path, Domain.PrivateFolder.NewFile(FileMode.Append, FileAccess.Write, FileShare.Read, FileOptions.Asynchronous, 64 * 1024));
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
                    TusStaging.Truncate(path, lengthBefore);
                    throw written < count
                        ? new GatewayException(ErrorCode.InvalidRequest, $"The body ended after {written} of its {count} bytes; the chunk was discarded.")
                        : new GatewayException(ErrorCode.ChecksumMismatch with { Status = 460 },
                            $"The chunk's {checksum.Name} differs from Upload-Checksum; it was discarded and the offset is unchanged.");
                }
            }
            return written;
        }
        catch when (checksum is not null)
        {
            await file.DisposeAsync();
            TusStaging.Truncate(path, lengthBefore);
            throw;
        }
        finally
        {
            await file.DisposeAsync();
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<bool> HasMoreAsync(Stream body, CancellationToken cancellationToken)
    {
        var probe = new byte[1];
        return await body.ReadAsync(probe, cancellationToken) > 0;
    }
}
