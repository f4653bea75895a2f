using System.Buffers;
using System.Net;
using Microsoft.Win32.SafeHandles;

namespace UploadGateway.Client.Http;

/// <summary>
/// The body of one part: a byte range of a file, read with <see cref="RandomAccess"/> through one small
/// pooled buffer and written to the connection as it is read. Never holds the part in memory, and can be
/// created again for each attempt of a retried part.
/// </summary>
internal sealed class FileRangeContent : HttpContent
{
    /// <summary>Large enough to keep a socket busy, small enough that many parts in flight cost little.</summary>
    internal const int BufferSize = 128 * 1024;

    private readonly SafeFileHandle _file;
    private readonly long _offset;
    private readonly long _length;
    private readonly string _uploadId;
    private readonly Action<long>? _written;

    /// <param name="written">Told the running total of bytes written, for progress.</param>
    public FileRangeContent(SafeFileHandle file, long offset, long length, string uploadId, Action<long>? written = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        _file = file;
        _offset = offset;
        _length = length;
        _uploadId = uploadId;
        _written = written;
        Headers.ContentType = new("application/octet-stream");
        Headers.ContentLength = length;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(BufferSize, Math.Max(_length, 1)));
        try
        {
            long sent = 0;
            while (sent < _length)
            {
                var want = (int)Math.Min(buffer.Length, _length - sent);
                var read = await RandomAccess.ReadAsync(_file, buffer.AsMemory(0, want), _offset + sent, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new UploadContentMismatchException(_uploadId,
                        $"The file ended at byte {_offset + sent} while bytes up to {_offset + _length} were being sent: it shrank during the upload.");
                }
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                sent += read;
                _written?.Invoke(sent);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}
