using Gateway.Domain;

namespace Gateway.Rechunking;

/// <summary>
/// One part's bytes as the part path reads them: first what the staged tail holds, then the rest from the
/// request body, exactly <see cref="Length"/> bytes and no more (the part path probes one byte past the end to
/// prove it). When the backend checks whole-object digests, each byte also goes into the whole-object hash,
/// and when the last one has been read the hash state at the part's end is saved before the part path asks the
/// store to count it.
/// </summary>
internal sealed class PartSource(Stream? staged, long stagedLength, Stream body, long length, WholeHash? hash, Func<Task>? atEnd) : ReadOnlyStream
{
    private long _position;
    private bool _ended;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.Length == 0)
        {
            if (_position >= length)
            {
                await EndAsync();
            }
            return 0;
        }
        var wanted = (int)Math.Min(buffer.Length, length - _position);
        int read;
        if (_position < stagedLength)
        {
            read = await staged!.ReadAsync(buffer[..(int)Math.Min(wanted, stagedLength - _position)], cancellationToken);
            if (read == 0)
            {
                throw new IOException("The staged tail is shorter than its length said.");
            }
        }
        else
        {
            read = await body.ReadAsync(buffer[..wanted], cancellationToken);
            if (read == 0)
            {
                return 0;
            }
        }
        hash?.Append(buffer.Span[..read]);
        _position += read;
        if (_position == length)
        {
            await EndAsync();
        }
        return read;
    }

    private async Task EndAsync()
    {
        if (!_ended)
        {
            _ended = true;
            if (atEnd is not null)
            {
                await atEnd();
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Parts are read asynchronously.");
}
