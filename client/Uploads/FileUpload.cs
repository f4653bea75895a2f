using System.Buffers;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;
using UploadGateway.Client.Http;
using UploadGateway.Contract;

namespace UploadGateway.Client.Uploads;

/// <summary>
/// One whole upload of a file into an existing session, fresh or resumed.
/// </summary>
/// <remarks>
/// <para>One reader goes through the file once, in order, with one buffer: it feeds the whole-object digests
/// (which only a sequential pass can compute; Box needs the SHA-1 at complete) and, at each part boundary,
/// has that part's digests, which go in its <c>Content-Digest</c> header before the body (Box needs the part's
/// SHA-1 up front, or the gateway must spool the part to disk). Parts the gateway already holds are checked
/// against their digests instead of being queued.</para>
/// <para>Workers, at most the session's <c>max_concurrency</c>, take queued parts and stream each straight
/// from the file again (<see cref="FileRangeContent"/>). The queue is only as deep as the number of workers,
/// so the reader stays just ahead of them and their reads come from the page cache. Memory stays at a few
/// buffers whatever the part size: one part is never held whole.</para>
/// </remarks>
internal sealed class FileUpload
{
    private const int ReadBufferSize = 1024 * 1024;

    private readonly GatewayClient _client;
    private readonly FileUploadOptions _options;
    private Exception? _failure;

    public FileUpload(GatewayClient client, FileUploadOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1);
        _client = client;
        _options = options;
    }

    public async Task<UploadSession> RunAsync(UploadSession session, string path, CancellationToken cancellationToken)
    {
        _options.Started?.Invoke(session);
        if (session.Status == UploadStatuses.Completed)
        {
            return session;
        }
        if (UploadStatuses.IsFinal(session.Status))
        {
            throw new GatewayException(session.Status == UploadStatuses.Expired ? HttpStatusCode.Gone : HttpStatusCode.Conflict,
                session.Status == UploadStatuses.Expired ? ErrorCodes.Expired : ErrorCodes.InvalidState,
                $"Upload {session.UploadId} is {session.Status}; it cannot be continued. Start a new upload.")
            { UploadId = session.UploadId };
        }

        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        var length = RandomAccess.GetLength(file);
        if (length != session.ContentLength)
        {
            throw new UploadContentMismatchException(session.UploadId,
                $"'{path}' has {length} bytes but upload {session.UploadId} is for {session.ContentLength}: it is not the same content.");
        }
        var missing = UploadStatuses.TakesParts(session.Status) ? PartRanges.Parse(session.MissingParts, session.PartCount) : [];
        var received = new Dictionary<int, PartInfo>();
        if (missing.Count < session.PartCount)
        {
            await foreach (var part in _client.ListPartsAsync(session.UploadId, cancellationToken).ConfigureAwait(false))
            {
                received[part.PartNumber] = part;
            }
        }

        var time = _client.Options.TimeProvider;
        var meter = new ProgressMeter(session.UploadId, length, session.PartCount, session.AcceptedBytes, session.PartsReceived,
            _options.Progress, _options.ProgressInterval, time);
        var workers = Math.Max(1, Math.Min(_options.MaxConcurrency, session.MaxConcurrency > 0 ? session.MaxConcurrency : _options.MaxConcurrency));
        var queue = Channel.CreateBounded<PartJob>(new BoundedChannelOptions(workers) { SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var reader = Guard(() => ReadAsync(session, file, missing, received, queue.Writer, stop.Token), stop);
        var senders = Enumerable.Range(0, workers)
            .Select(_ => Guard(() => SendPartsAsync(session.UploadId, file, queue.Reader, meter, stop.Token), stop))
            .ToList();
        try
        {
            await Task.WhenAll([reader, .. senders]).ConfigureAwait(false);
        }
        catch when (_failure is not null)
        {
            // The first failure is the cause; the others are its cancellations.
            ExceptionDispatchInfo.Throw(Unwrap(_failure));
        }

        meter.Enter(UploadPhase.Completing);
        var checksum = await reader.ConfigureAwait(false);
        var completed = await _client.CompleteAsync(session.UploadId, checksum, cancellationToken).ConfigureAwait(false);
        meter.Enter(UploadPhase.Completed);
        return completed;
    }

    /// <summary>Reads the file once, in order: whole-object digests, each part's digests, parts queued or checked.</summary>
    private static async Task<WholeChecksums> ReadAsync(UploadSession session, SafeFileHandle file, SortedSet<int> missing,
        Dictionary<int, PartInfo> received, ChannelWriter<PartJob> queue, CancellationToken cancellationToken)
    {
        // Each part's digests of the kinds its backend asks for: the one it checks itself, so the gateway hashes nothing
        // (a backend that asks for none still gets the SHA-256).
        var partSha1 = session.ChecksumsRequired.Part.Contains(ContractValues.Algorithms.Sha1);
        var partSha256 = session.ChecksumsRequired.Part.Contains(ContractValues.Algorithms.Sha256) || !partSha1;
        var wholeSha1 = session.ChecksumsRequired.Complete.Contains(ContractValues.Algorithms.Sha1);
        using var whole256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var whole1 = wholeSha1 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA1) : null;
        using var part256 = partSha256 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        using var part1 = partSha1 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA1) : null;
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        try
        {
            for (var n = 1; n <= session.PartCount; n++)
            {
                var (offset, size) = PartRanges.Span(session.ContentLength, session.PartSize, n);
                for (long done = 0; done < size;)
                {
                    var read = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - done)), offset + done, cancellationToken)
                        .ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new UploadContentMismatchException(session.UploadId, $"The file ended at byte {offset + done}: it shrank during the upload.");
                    }
                    var bytes = buffer.AsSpan(0, read);
                    whole256.AppendData(bytes);
                    whole1?.AppendData(bytes);
                    part256?.AppendData(bytes);
                    part1?.AppendData(bytes);
                    done += read;
                }
                var sha256 = part256?.GetHashAndReset();
                var sha1 = part1?.GetHashAndReset();
                if (missing.Contains(n))
                {
                    await queue.WriteAsync(new PartJob(n, offset, size, sha256, sha1), cancellationToken).ConfigureAwait(false);
                }
                else if (received.TryGetValue(n, out var theirs) && (Differs(theirs.Sha256, sha256) || Differs(theirs.Sha1, sha1)))
                {
                    throw new UploadContentMismatchException(session.UploadId,
                        $"Part {n} of upload {session.UploadId} was received with other bytes than this file has there: it is not the same content.", n);
                }
            }
            queue.Complete();
            return new WholeChecksums
            {
                Sha256 = Convert.ToHexStringLower(whole256.GetHashAndReset()),
                Sha1 = whole1 is null ? null : Convert.ToHexStringLower(whole1.GetHashAndReset()),
            };
        }
        catch (Exception e)
        {
            queue.TryComplete(e);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task SendPartsAsync(string uploadId, SafeFileHandle file, ChannelReader<PartJob> queue, ProgressMeter meter, CancellationToken cancellationToken)
    {
        await foreach (var part in queue.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await _client.PutPartAsync(
                uploadId,
                part.Number,
                () => new FileRangeContent(file, part.Offset, part.Size, uploadId, written => meter.Sent(part.Number, written)),
                part.Sha256,
                part.Sha1,
                cancellationToken,
                retrying: (_, _) => meter.Retrying(part.Number)).ConfigureAwait(false);
            meter.Accepted(part.Number, part.Size);
        }
    }

    /// <summary>Runs a reader or worker; its failure, the first of all, stops the others.</summary>
    private async Task<T> Guard<T>(Func<Task<T>> run, CancellationTokenSource stop)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException && stop.IsCancellationRequested))
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private Task<bool> Guard(Func<Task> run, CancellationTokenSource stop) =>
        Guard(async () =>
        {
            await run().ConfigureAwait(false);
            return true;
        }, stop);

    /// <summary>HttpClient wraps what the body's stream threw; a file that changed under the upload is the error to report.</summary>
    private static Exception Unwrap(Exception e) => RetryPolicy.Find<UploadContentMismatchException>(e) ?? e;

    /// <summary>Whether a received part's digest of one kind contradicts this file's; a kind only one side has says nothing.</summary>
    private static bool Differs(string? received, byte[]? computed) =>
        received is not null && computed is not null && !string.Equals(received, Convert.ToHexStringLower(computed), StringComparison.OrdinalIgnoreCase);

    private sealed record PartJob(int Number, long Offset, long Size, byte[]? Sha256, byte[]? Sha1);
}
