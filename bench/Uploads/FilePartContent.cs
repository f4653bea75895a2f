using System.Buffers;
using System.Net;
using Microsoft.Win32.SafeHandles;

namespace Bench.Uploads;

/// <summary>
/// One part's bytes, read from the file at their offset straight into the request stream through one pooled
/// buffer of <paramref name="writeSize"/> bytes, so each write to the connection is at most that: the client never
/// holds a part in memory, and every path pays the same for it.
/// </summary>
internal sealed class FilePartContent(SafeFileHandle file, long offset, long partLength, int writeSize) : HttpContent
{
    /// <summary>Where the part starts in the file, and its length (curl sends the same bytes from a file of their own).</summary>
    public long Offset => offset;

    public long PartLength => partLength;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(writeSize);
        try
        {
            for (long done = 0; done < partLength;)
            {
                var read = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, (int)Math.Min(writeSize, partLength - done)), offset + done, cancellationToken);
                if (read == 0)
                {
                    throw new EndOfStreamException($"The file ended {partLength - done} bytes before the part's end.");
                }
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                done += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = partLength;
        return true;
    }
}
