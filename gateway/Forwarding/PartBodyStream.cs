using System.Security.Cryptography;
using Gateway.Domain;

namespace Gateway.Forwarding;

/// <summary>
/// The part's body on its way to the backend: it hashes in place the digest kinds it is asked to (those nobody
/// else verifies), enforces the part's exact length, and checks the client's digests of those kinds before it
/// releases the last bytes, so a part that is too long, too short or not what the client said never arrives
/// whole at the backend. Client digests of the other kinds pass through unhashed, for the backend to check.
/// Nothing is buffered: each read goes straight from the client's socket into the forwarder's buffer.
/// </summary>
internal sealed class PartBodyStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly long _length;
    private readonly PartDigests _claimed;
    private readonly IncrementalHash? _sha256;
    private readonly IncrementalHash? _sha1;
    private long _position;

    /// <param name="hash">
    /// The kinds the gateway computes. A claimed kind not among them is taken as claimed: only for a backend that
    /// checks it before it accepts the part.
    /// </param>
    public PartBodyStream(Stream inner, long length, PartDigests claimed, DigestKinds hash)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(claimed);
        _inner = inner;
        _length = length;
        _claimed = claimed;
        _sha256 = hash.HasFlag(DigestKinds.Sha256) ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        _sha1 = hash.HasFlag(DigestKinds.Sha1) ? IncrementalHash.CreateHash(HashAlgorithmName.SHA1) : null;
    }

    /// <summary>
    /// The digests of the whole part, once it has been read to its end: the computed kinds verified against the
    /// client's, the others as the client claimed them (for the backend to check).
    /// </summary>
    public PartDigests? Digests { get; private set; }

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Digests is not null || buffer.Length == 0)
        {
            return 0;
        }
        // Never ask the client for more than the part's remaining bytes: anything beyond is found by the probe below.
        var wanted = (int)Math.Min(buffer.Length, _length - _position);
        var read = wanted == 0 ? 0 : await _inner.ReadAsync(buffer[..wanted], cancellationToken);
        if (read == 0 && _position < _length)
        {
            throw new PartBodyException(ErrorCode.PartSizeMismatch,
                $"The body ended after {_position} bytes; this part has {_length}.");
        }
        _sha256?.AppendData(buffer.Span[..read]);
        _sha1?.AppendData(buffer.Span[..read]);
        _position += read;
        if (_position == _length)
        {
            await VerifyAsync(cancellationToken);
        }
        return read;
    }

    // Kestrel refuses synchronous reads of request bodies, and so does this stream.
    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("Part bodies are read asynchronously.");

    /// <summary>Reads the whole part and discards it, verifying it like a forwarded one (a retried part's body).</summary>
    public async Task<PartDigests> DrainAsync(CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (await ReadAsync(buffer, cancellationToken) > 0)
            {
            }
            return Digests!;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask VerifyAsync(CancellationToken cancellationToken)
    {
        // The body must end exactly here. A chunked body can run long; one more byte proves it.
        var probe = new byte[1];
        if (await _inner.ReadAsync(probe, cancellationToken) != 0)
        {
            throw new PartBodyException(ErrorCode.PartSizeMismatch, $"The body is longer than this part's {_length} bytes.");
        }
        var sha256 = _sha256?.GetHashAndReset();
        var sha1 = _sha1?.GetHashAndReset();
        if (sha256 is not null && _claimed.Sha256 is { } claimed256 && !claimed256.AsSpan().SequenceEqual(sha256))
        {
            throw new PartBodyException(ErrorCode.ChecksumMismatch, "The part's SHA-256 differs from the sha-256 in Content-Digest.");
        }
        if (sha1 is not null && _claimed.Sha1 is { } claimed1 && !claimed1.AsSpan().SequenceEqual(sha1))
        {
            throw new PartBodyException(ErrorCode.ChecksumMismatch, "The part's SHA-1 differs from the sha in Content-Digest.");
        }
        Digests = new PartDigests(sha256 ?? _claimed.Sha256, sha1 ?? _claimed.Sha1);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha256?.Dispose();
            _sha1?.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>A part's body broke the part rule or its digest; raised while streaming, before the last byte moves on.</summary>
internal sealed class PartBodyException(ErrorCode error, string detail) : IOException(detail)
{
    public ErrorCode Error { get; } = error;
}
