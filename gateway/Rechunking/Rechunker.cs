using Gateway.Auth;
using Gateway.Backends;
using Gateway.Domain;
using Gateway.Forwarding;
using Gateway.Sessions;
using Gateway.Uploads;

namespace Gateway.Rechunking;

/// <summary>
/// A byte stream of any size, starting at any offset, cut into the backend's parts (docs/tus.md, "How bytes
/// become parts"): each whole part streamed through the core's part path, the bytes of a part not yet whole
/// appended to the staged tail, the whole-object digests the backend checks at completion (if any) carried
/// across part boundaries. For fronts whose clients choose their own chunk sizes; every write runs under the
/// upload's <see cref="WriterLock"/>.
/// </summary>
internal sealed class Rechunker(PartForwarder parts, PartSpooler spooler, ISessionStore store, UploadLifecycle lifecycle, BackendRegistry backends,
    ChunkStaging staging, TimeProvider time)
{
    /// <summary>Where the upload stands: the offset to report, counting only bytes held durably (by the backend or the staged tail).</summary>
    public RechunkPosition Position(UploadSession session)
    {
        var next = PartMath.NextPart(session.ReceivedParts, session.PartCount) ?? session.PartCount + 1;
        if (next > session.PartCount)
        {
            return new RechunkPosition(next, session.ContentLength, 0);
        }
        var tail = staging.TailLength(session.Id, next);
        return new RechunkPosition(next, session.OffsetOf(next) + tail, tail);
    }

    /// <summary>
    /// Writes <paramref name="body"/> at <paramref name="offset"/> of a live <paramref name="session"/>, under its
    /// writer lock: <paramref name="length"/> bytes, or up to the upload's end when null. Returns the session as
    /// the store now has it and whether every part is stored (the upload is ready to complete).
    /// </summary>
    public async Task<RechunkResult> WriteAsync(HttpContext context, Tenant tenant, UploadSession session, long offset, long? length, ChunkChecksum? checksum,
        Stream body, CancellationToken cancellationToken)
    {
        var id = session.Id;
        var position = Position(session);
        if (offset != position.Offset)
        {
            throw new GatewayException(ErrorCode.InvalidState, $"The bytes start at offset {offset}, but the upload is at {position.Offset}; ask where it stands and resume from there.")
            {
                Extensions = new Dictionary<string, object?> { ["upload_offset"] = position.Offset },
            };
        }
        var room = session.ContentLength - offset;
        if (length > room)
        {
            throw new GatewayException(ErrorCode.UploadTooLarge, $"The body has {length} bytes; only {room} remain before the upload's length.");
        }

        var next = position.NextPart;
        var tail = position.TailLength;
        var remaining = length;
        var rules = backends.Get(session.Backend).Rules;
        var hash = WholeHash.For(rules.Checksums.Complete);
        if (hash is not null && next > 1 && next <= session.PartCount)
        {
            // Every part the re-chunker stored has its hash state (saved before the store counts it); a part without
            // one was sent whole through /v1, and the digests the completion needs can no longer be computed (docs/tus.md).
            hash = await staging.LoadHashAsync(id, next - 1, cancellationToken)
                ?? throw new GatewayException(ErrorCode.InvalidRequest,
                    $"Part {next - 1} of this upload was sent as a whole part (no hash state for it in the staging directory), so the whole-object digests its backend checks at completion cannot be computed here; send the rest and complete through /v1.");
        }

        // A chunk with a checksum of its own is held whole and verified before any of it becomes a part or joins the tail,
        // so one that fails leaves nothing behind; then it goes on as any body would.
        await using var verified = checksum is not null && length > 0 ? await HoldVerifiedAsync(body, length.Value, checksum, cancellationToken) : null;
        body = verified ?? body;

        // A backend that takes a part only whole (its SHA-1 before the body) would leave the body unread while a part is
        // sent; so the next part is read meanwhile, at most two of this request's parts in flight. Anything staged waits
        // for the part in flight, so a staged tail never runs ahead of a part that may yet fail.
        var overlap = PartForwarder.HoldsWhole(rules, PartDigests.None) && session.MaxConcurrency > 1;
        // A verified chunk that is exactly one part already has the digest such a backend wants first (a tus client's
        // sha1 for Box): the part goes on with it, not held and hashed a second time.
        var chunkDigests = verified is not null && PartForwarder.HoldsWhole(rules, PartDigests.None) && !PartForwarder.HoldsWhole(rules, checksum!.Claimed)
            ? checksum.Claimed
            : PartDigests.None;
        await using var inFlight = new PartInFlight();
        while (next <= session.PartCount)
        {
            var size = session.SizeOf(next);
            var claimed = tail == 0 && length == size && remaining == size ? chunkDigests : PartDigests.None;
            if (overlap && tail == 0 && remaining >= size)
            {
                await inFlight.HandOnAsync(await StartForwardAsync(context, body, tenant, session, next, size, hash, claimed, cancellationToken));
                remaining -= size;
                next++;
                continue;
            }
            await inFlight.WaitAsync();
            if (tail >= size || remaining >= size - tail)
            {
                // The part is whole: what the tail holds of it, then (when the tail is short) the body's next bytes.
                var fromTail = Math.Min(tail, size);
                await ForwardAsync(context, body, tenant, session, next, fromTail, size - fromTail, hash, claimed, cancellationToken);
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
            var appended = await StagedAppend.AppendAsync(staging.TailPath(id, next), body, wanted, null, tail, cancellationToken);
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
            if (length is null && next == session.PartCount && await StagedAppend.HasMoreAsync(body, cancellationToken))
            {
                // A body without a length that runs past the upload's end is not the file announced: its last
                // part is cut back off before it can complete the upload.
                ChunkStaging.Truncate(staging.TailPath(id, next), tailBefore);
                throw new GatewayException(ErrorCode.UploadTooLarge, "The body runs past the upload's length; its bytes of the last part were discarded.");
            }
            if (tail < size)
            {
                break;
            }
        }
        await inFlight.WaitAsync();
        var now = await store.GetAsync(id, tenant.Name, cancellationToken) ?? session;
        return new RechunkResult(now, next > session.PartCount);
    }

    /// <summary>
    /// Reads a chunk whole and checks it against <paramref name="checksum"/>: held as a part that must be read whole is
    /// (<see cref="PartSpooler"/>: in memory within the instance's budget), not written to the staging directory on its way.
    /// </summary>
    private async Task<Stream> HoldVerifiedAsync(Stream body, long length, ChunkChecksum checksum, CancellationToken cancellationToken)
    {
        using var chunk = new PartBodyStream(body, length, checksum.Claimed, checksum.Claimed.Kinds);
        try
        {
            return await spooler.FillAsync(chunk, cancellationToken);
        }
        catch (PartBodyException e)
        {
            throw e.Error == ErrorCode.ChecksumMismatch
                ? new GatewayException(ErrorCode.ChecksumMismatch, $"The chunk's {checksum.Name} differs from the one the request sent; it was discarded and the offset is unchanged.")
                : new GatewayException(ErrorCode.InvalidRequest, $"The body's length differs from its Content-Length ({length} bytes); the chunk was discarded.");
        }
    }

    /// <summary>
    /// Starts forwarding a part made only of the body's next <paramref name="size"/> bytes and returns once those bytes
    /// are read (and its hash state saved), with the part still on its way; a part refused before that throws here.
    /// </summary>
    private async Task<Task> StartForwardAsync(HttpContext context, Stream body, Tenant tenant, UploadSession session, int part, long size, WholeHash? hash,
        PartDigests claimed, CancellationToken cancellationToken)
    {
        var read = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var forward = ForwardAsync(context, body, tenant, session, part, 0, size, hash, claimed, cancellationToken, () => read.TrySetResult());
        if (await Task.WhenAny(read.Task, forward) == forward)
        {
            await forward;
        }
        return forward;
    }

    /// <summary>
    /// Commits at the backend with the whole-object digests (if it checks any) once every part is stored, waiting up to
    /// <paramref name="wait"/> for one that is still assembling (Box's 202). Each attempt is waited for up to
    /// <paramref name="answerWithin"/> (at most <c>Gateway:Completion:AnswerWithin</c>); a commit still running then goes on
    /// in the background (<c>Uploads/CommitRunner</c>).
    /// </summary>
    public async Task<UploadSession> CompleteAsync(Tenant tenant, UploadSession session, TimeSpan wait, CancellationToken cancellationToken,
        TimeSpan? answerWithin = null)
    {
        if (session.Status is not (SessionStatus.Staged or SessionStatus.Completing))
        {
            return session;
        }
        var digests = await staging.LoadDigestsAsync(session.Id, cancellationToken);
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            var (now, retryAfter) = await lifecycle.CompleteAsync(tenant, session.Id, digests, cancellationToken, answerWithin);
            if (retryAfter is not { } delay || time.GetUtcNow() + delay > deadline)
            {
                if (now.Status == SessionStatus.Completed)
                {
                    staging.DeleteBytes(session.Id);
                }
                return now;
            }
            await Task.Delay(delay, time, cancellationToken);
        }
    }

    /// <param name="read">Called once the part's bytes are all read (and its hash state saved), before it is counted.</param>
    private async Task ForwardAsync(HttpContext context, Stream body, Tenant tenant, UploadSession session, int part, long fromTail, long fromBody, WholeHash? hash,
        PartDigests claimed, CancellationToken cancellationToken, Action? read = null)
    {
        var id = session.Id;
        await using var staged = fromTail > 0 ? staging.ReadTail(id, part) : null;
        var last = part == session.PartCount;
        var source = new PartSource(staged, fromTail, body, fromTail + fromBody, hash, hash is null && read is null ? null : async () =>
        {
            if (hash is not null)
            {
                // Saved before the store counts the part, so a counted part always has its hash state.
                await staging.SaveHashAsync(id, part, hash);
                if (last)
                {
                    await staging.SaveDigestsAsync(id, hash.Digests());
                }
            }
            read?.Invoke();
        });
        // No digest of the part's own unless its backend needs one (Box's SHA-1), or the verified chunk that is the part carries it.
        await parts.PutSliceAsync(context, tenant, id, part, source, fromTail + fromBody, claimed, keyless: true, cancellationToken);
    }

    /// <summary>
    /// A tail that held more than one part: what follows part <paramref name="part"/> becomes the next part's tail. Only an
    /// instance from before verified chunks were held in memory staged a chunk whole; its tails are still read after an upgrade.
    /// </summary>
    private async Task MoveRestAsync(string id, int part, long from, long count)
    {
        await using var source = staging.ReadTail(id, part);
        staging.DeleteTail(id, part + 1);
        await using var target = staging.OpenTail(id, part + 1);
        await StagedAppend.CopyRestAsync(source, from, count, target);
    }
}

/// <summary>
/// The part of a request still on its way to the backend while the request's next part is read. Disposed with a part
/// still in flight (the request failed), it lets that part land: it had all its bytes, and stored it spares the client
/// a resend; whatever it meets is left to the request's own error.
/// </summary>
file sealed class PartInFlight : IAsyncDisposable
{
    private Task? _part;

    /// <summary>Makes <paramref name="part"/> the one in flight, once the one before it is stored (its error is thrown here).</summary>
    public async Task HandOnAsync(Task part)
    {
        var previous = _part;
        _part = part;
        if (previous is not null)
        {
            await previous;
        }
    }

    /// <summary>Waits for the part in flight to be stored.</summary>
    public async Task WaitAsync()
    {
        var part = _part;
        _part = null;
        if (part is not null)
        {
            await part;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_part is { } part)
        {
            await part.ContinueWith(static landed => _ = landed.Exception, TaskScheduler.Default);
        }
    }
}

/// <summary>The next part to fill, the offset to report, and how many bytes of that part the tail holds.</summary>
internal sealed record RechunkPosition(int NextPart, long Offset, long TailLength);

/// <summary>The session after a write, and whether every part is now stored.</summary>
internal sealed record RechunkResult(UploadSession Session, bool Whole);
