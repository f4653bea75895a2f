using System.Security.Cryptography;
using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Forwarding;
using Gateway.Sessions;
using Gateway.Uploads;
using Microsoft.Extensions.Options;
using UploadGateway.Contract;

namespace Gateway.Api.Tus;

/// <summary>
/// The bytes of one PATCH (or of a creation-with-upload POST) into the session's parts (docs/tus.md): each
/// whole part streamed through the core's part path, the bytes of a part not yet whole appended to the
/// staged tail, the whole-object hash carried across part boundaries, and the session completed when its
/// last byte is stored. One writer per upload across instances, by a lock in the store.
/// </summary>
internal sealed class TusWriter(
    PartForwarder parts,
    ISessionStore store,
    IStoreLock locks,
    UploadLifecycle lifecycle,
    BackendRegistry backends,
    TusStaging staging,
    IOptions<StoreOptions> storeOptions,
    IOptions<TusOptions> tusOptions,
    TimeProvider time,
    ILogger<TusWriter> logger)
{
    /// <summary>Where the upload stands: the offset tus reports, counting only bytes held durably (by the backend or the staged tail).</summary>
    public TusPosition Position(UploadSession session)
    {
        var next = PartMath.NextPart(session.ReceivedParts, session.PartCount) ?? session.PartCount + 1;
        if (next > session.PartCount)
        {
            return new TusPosition(next, session.ContentLength, 0);
        }
        var tail = staging.TailLength(session.Id, next);
        return new TusPosition(next, session.OffsetOf(next) + tail, tail);
    }

    /// <summary>Runs <paramref name="write"/> as the one writer of <paramref name="id"/> across instances, or answers 423.</summary>
    public async Task<T> ExclusiveAsync<T>(string id, Func<Task<T>> write)
    {
        var owner = Guid.NewGuid().ToString("N");
        var lockName = "tus-writer:" + id;
        var ttl = storeOptions.Value.LeaseTtl;
        if (!await locks.TryAcquireLockAsync(lockName, owner, ttl))
        {
            throw new GatewayException(ErrorCode.ConcurrencyLimit with { Status = StatusCodes.Status423Locked },
                "Another request is writing to this upload; retry when it has finished.") { RetryAfter = TimeSpan.FromSeconds(1) };
        }
        using var stop = new CancellationTokenSource();
        var renewal = RenewAsync(lockName, owner, ttl, stop.Token);
        try
        {
            return await write();
        }
        finally
        {
            await stop.CancelAsync();
            await renewal;
            try
            {
                await locks.ReleaseLockAsync(lockName, owner);
            }
            catch (Exception e)
            {
                // It lapses by itself after the lease time.
                Log.WriterLockNotReleased(logger, id, e);
            }
        }
    }

    /// <summary>Writes the request's body at <paramref name="offset"/>; returns the session and the new offset.</summary>
    public async Task<(UploadSession Session, long Offset)> WriteAsync(HttpContext context, Tenant tenant, string id, long offset, long? length, TusChecksum? checksum,
        Stream? body = null)
    {
        try
        {
            return await ExclusiveAsync(id, () => WriteLockedAsync(context, tenant, id, offset, length, checksum, body ?? context.Request.Body));
        }
        catch (GatewayException e) when (e.Error.Code == ErrorCode.ConcurrencyLimit.Code && e.Error.Status != StatusCodes.Status423Locked)
        {
            // A part still leased by a writer that died (a part's lease can outlive the writer lock by up to one
            // lease time) is the same "busy, retry shortly" to a tus client, which retries 423 and not 429.
            throw new GatewayException(ErrorCode.ConcurrencyLimit with { Status = StatusCodes.Status423Locked }, e.Message)
            {
                RetryAfter = e.RetryAfter,
                UploadId = e.UploadId,
            };
        }
    }

    private async Task<(UploadSession, long)> WriteLockedAsync(HttpContext context, Tenant tenant, string id, long offset, long? length, TusChecksum? checksum, Stream body)
    {
        var cancellationToken = context.RequestAborted;
        var session = await TusUploads.GetLiveAsync(store, tenant, id, time, cancellationToken);
        var position = Position(session);
        if (offset != position.Offset)
        {
            throw new GatewayException(ErrorCode.InvalidState, $"Upload-Offset is {offset}, but the upload is at {position.Offset}; HEAD it and resume from there.")
            {
                Extensions = new Dictionary<string, object?> { ["upload_offset"] = position.Offset },
            };
        }
        var room = session.ContentLength - offset;
        if (length > room)
        {
            throw new GatewayException(ErrorCode.UploadTooLarge, $"The body has {length} bytes; only {room} remain before Upload-Length.");
        }
        if (checksum is not null && length is null)
        {
            throw new GatewayException(ErrorCode.InvalidRequest with { Status = StatusCodes.Status411LengthRequired },
                "A chunk with Upload-Checksum needs a Content-Length.");
        }
        if (checksum is not null && length > tenant.Limits.MaxPartBytes)
        {
            throw new GatewayException(ErrorCode.UploadTooLarge,
                $"A chunk with Upload-Checksum is staged whole before it is verified: at most {tenant.Limits.MaxPartBytes} bytes (max_part_bytes).");
        }

        var next = position.NextPart;
        var tail = position.TailLength;
        var remaining = length;
        WholeHash? hash = null;
        if (next <= session.PartCount)
        {
            var sha1 = backends.Get(session.Backend).Rules.Checksums.Complete.Contains(ContractValues.Algorithms.Sha1);
            // Every part a tus PATCH stored has its hash state (saved before the store counts it); a part without
            // one came through /v1, and the digests the completion needs can no longer be computed (docs/tus.md).
            hash = await staging.LoadHashAsync(id, next - 1, sha1, cancellationToken)
                ?? throw new GatewayException(ErrorCode.InvalidRequest,
                    $"Part {next - 1} of this upload came through /v1 (no tus hash state for it in Gateway:Tus:StagingDirectory), so tus cannot compute its whole-object digests; send the rest and complete through /v1.");
        }

        if (checksum is not null && length > 0)
        {
            // Staged whole and verified before any of it becomes a part: a chunk that fails is cut off again.
            await AppendAsync(id, next, body, length.Value, checksum, tail, cancellationToken);
            tail += length.Value;
            remaining = 0;
        }

        while (next <= session.PartCount)
        {
            var size = session.SizeOf(next);
            if (tail >= size || remaining >= size - tail)
            {
                // The part is whole: what the tail holds of it, then (when the tail is short) the body's next bytes.
                var fromTail = Math.Min(tail, size);
                await ForwardAsync(context, body, tenant, session, next, fromTail, size - fromTail, hash);
                if (tail > size)
                {
                    await MoveRestAsync(id, next, size, tail - size);
                }
                staging.DeleteTail(id, next);
                remaining -= size - fromTail;
                tail -= fromTail;
                next++;
                continue;
            }
            if (remaining == 0)
            {
                break;
            }
            // The rest of the body does not finish this part (or its length is unknown): it joins the tail.
            var wanted = remaining ?? size - tail;
            var tailBefore = tail;
            var appended = await AppendAsync(id, next, body, wanted, null, tail, cancellationToken);
            tail += appended;
            remaining -= appended;
            if (appended < wanted)
            {
                if (length is not null)
                {
                    throw new GatewayException(ErrorCode.InvalidRequest, $"The body ended after {appended} of its {wanted} bytes; the bytes received are kept.");
                }
                break;
            }
            if (length is null && next == session.PartCount && await HasMoreAsync(body, cancellationToken))
            {
                // A body without Content-Length that runs past Upload-Length is not the file announced: its last
                // part is cut back off before it can complete the upload.
                TusStaging.Truncate(staging.TailPath(id, next), tailBefore);
                throw new GatewayException(ErrorCode.UploadTooLarge, "The body runs past Upload-Length; its bytes of the last part were discarded.");
            }
            if (tail < size)
            {
                break;
            }
        }
        var now = await store.GetAsync(id, tenant.Name, cancellationToken) ?? session;
        if (next > session.PartCount)
        {
            now = await CompleteAsync(tenant, now, cancellationToken);
        }
        return (now, (Position(now)).Offset);
    }

    private async Task ForwardAsync(HttpContext context, Stream body, Tenant tenant, UploadSession session, int part, long fromTail, long fromBody, WholeHash? hash)
    {
        var id = session.Id;
        await using var staged = fromTail > 0 ? staging.ReadTail(id, part) : null;
        var last = part == session.PartCount;
        var source = new PartSource(staged, fromTail, body, fromTail + fromBody, hash, async () =>
        {
            // Saved before the store counts the part, so a counted part always has its hash state.
            if (hash is not null)
            {
                await staging.SaveHashAsync(id, part, hash);
                if (last)
                {
                    await staging.SaveDigestsAsync(id, hash.Digests());
                }
            }
        });
        await parts.PutSliceAsync(context, tenant, id, part, source, fromTail + fromBody);
    }

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

    /// <summary>Commits at the backend once every part is stored, waiting a while for one that is still assembling.</summary>
    public async Task<UploadSession> CompleteAsync(Tenant tenant, UploadSession session, CancellationToken cancellationToken)
    {
        if (session.Status is not (SessionStatus.Staged or SessionStatus.Completing))
        {
            return session;
        }
        var digests = await staging.LoadDigestsAsync(session.Id, cancellationToken);
        var deadline = time.GetUtcNow() + tusOptions.Value.CompletionWait;
        while (true)
        {
            var (now, retryAfter) = await lifecycle.CompleteAsync(tenant, session.Id, digests, cancellationToken);
            if (retryAfter is not { } wait || time.GetUtcNow() + wait > deadline)
            {
                if (now.Status == SessionStatus.Completed)
                {
                    staging.DeleteBytes(session.Id);
                }
                return now;
            }
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    private async Task RenewAsync(string name, string owner, TimeSpan ttl, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(ttl / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await locks.TryAcquireLockAsync(name, owner, ttl);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The store is away for a moment; the offset check under the next holder keeps the bytes right.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>The next part to fill, the offset tus reports, and how many bytes of that part the tail holds.</summary>
internal sealed record TusPosition(int NextPart, long Offset, long TailLength);

/// <summary>A chunk's <c>Upload-Checksum</c>.</summary>
internal sealed record TusChecksum(string Name, HashAlgorithmName Algorithm, byte[] Expected);
