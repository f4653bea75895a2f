using System.Buffers;
using Gateway.Domain;

namespace Gateway.Forwarding;

/// <summary>
/// A part read whole before it is forwarded, then read back by the forwarder: in chunks of memory or in a file of the
/// spool directory (<see cref="PartSpooler"/> decides which). Either is given back when the spool is disposed.
/// </summary>
/// <remarks>
/// The file is written and read synchronously. .NET has no asynchronous file I/O on Linux: every asynchronous read or
/// write is a hand-off to a thread-pool thread and back, 160 of them for an 8 MiB part (docs/BENCHMARKS.md, "Box
/// parts spooled in memory"). The part was just written, so its reads come from the page cache.
/// </remarks>
internal abstract class PartSpool(long length) : ReadOnlyStream
{
    private long _position;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>Reads <paramref name="body"/> to its end into chunks of <paramref name="pool"/> (each of its largest size); <paramref name="release"/> runs when the spool is disposed.</summary>
    public static async Task<PartSpool> FillMemoryAsync(PartBodyStream body, ArrayPool<byte> pool, int chunkSize, Action release, CancellationToken cancellationToken)
    {
        var chunks = new byte[(int)((body.Length + chunkSize - 1) / chunkSize)][];
        long filled = 0;
        try
        {
            for (var i = 0; i < chunks.Length; i++)
            {
                chunks[i] = pool.Rent(chunkSize);
                var end = (int)Math.Min(chunkSize, body.Length - filled);
                for (var at = 0; at < end;)
                {
                    // The body's own length check throws before a short part could end this loop.
                    var read = await body.ReadAsync(chunks[i].AsMemory(at, end - at), cancellationToken);
                    at += read;
                    filled += read;
                }
            }
            if (body.Digests is null)
            {
                // An empty part: the body verifies a part when a read reaches its end, and none did.
                await body.DrainAsync(cancellationToken);
            }
            return new InMemory(chunks, chunkSize, body.Length, pool, release);
        }
        catch
        {
            Return(chunks, pool);
            throw;
        }
    }

    /// <summary>Reads <paramref name="body"/> to its end into a new private file of <paramref name="directory"/>, deleted when the spool is disposed.</summary>
    public static async Task<PartSpool> FillFileAsync(string directory, PartBodyStream body, CancellationToken cancellationToken)
    {
        var file = new FileStream(Path.Combine(directory, Guid.NewGuid().ToString("N") + ".part"), PrivateFolder.NewFile(
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose, bufferSize: 0));
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            long length = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                RandomAccess.Write(file.SafeFileHandle, buffer.AsSpan(0, read), length);
                length += read;
            }
            return new OnDisk(file, length);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected abstract int ReadAt(long position, Span<byte> buffer);

    public override int Read(Span<byte> buffer)
    {
        var read = ReadAt(_position, buffer[..(int)Math.Min(buffer.Length, length - _position)]);
        _position += read;
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken) : ValueTask.FromResult(Read(buffer.Span));

    public override ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Return(byte[]?[] chunks, ArrayPool<byte> pool)
    {
        foreach (var chunk in chunks)
        {
            if (chunk is not null)
            {
                pool.Return(chunk);
            }
        }
    }

    private sealed class InMemory(byte[][] chunks, int chunkSize, long length, ArrayPool<byte> pool, Action release) : PartSpool(length)
    {
        private int _disposed;

        protected override int ReadAt(long position, Span<byte> buffer)
        {
            if (buffer.IsEmpty)
            {
                return 0;
            }
            var at = (int)(position % chunkSize);
            var count = Math.Min(buffer.Length, chunkSize - at);
            chunks[position / chunkSize].AsSpan(at, count).CopyTo(buffer);
            return count;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Return(chunks, pool);
                release();
            }
            base.Dispose(disposing);
        }
    }

    private sealed class OnDisk(FileStream file, long length) : PartSpool(length)
    {
        protected override int ReadAt(long position, Span<byte> buffer) => RandomAccess.Read(file.SafeFileHandle, buffer, position);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                file.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
