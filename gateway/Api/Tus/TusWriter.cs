using System.Security.Cryptography;
using Gateway.Auth;
using Gateway.Domain;
using Gateway.Rechunking;
using Gateway.Sessions;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Tus;

/// <summary>
/// The tus side of writing a PATCH (or a creation-with-upload POST): the protocol's own checks and answers around
/// the core's <see cref="Rechunker"/>, which cuts the bytes into the backend's parts (docs/tus.md). tus has no
/// complete call, so the upload is completed when its last byte is stored.
/// </summary>
internal sealed class TusWriter(Rechunker rechunker, WriterLock writers, ISessionStore store, IOptions<TusOptions> tusOptions, TimeProvider time)
{
    /// <summary>Where the upload stands: the offset tus reports, counting only bytes held durably.</summary>
    public RechunkPosition Position(UploadSession session) => rechunker.Position(session);

    /// <summary>Writes the request's body at <paramref name="offset"/>; returns the session and the new offset.</summary>
    public async Task<(UploadSession Session, long Offset)> WriteAsync(HttpContext context, Tenant tenant, string id, long offset, long? length, TusChecksum? checksum,
        Stream? body = null)
    {
        if (checksum is not null && length is null)
        {
            throw new GatewayException(ErrorCode.InvalidRequest with { Status = StatusCodes.Status411LengthRequired },
                "A chunk with Upload-Checksum needs a Content-Length.");
        }
        if (checksum is not null && length > tenant.Limits.MaxPartBytes)
        {
            throw new GatewayException(ErrorCode.UploadTooLarge,
                $"A chunk with Upload-Checksum is held whole before it is verified: at most {tenant.Limits.MaxPartBytes} bytes (max_part_bytes).");
        }
        return await ExclusiveAsync(context, id, async cancellationToken =>
        {
            var session = await TusUploads.GetLiveAsync(store, tenant, id, time, cancellationToken);
            var written = await rechunker.WriteAsync(context, tenant, session, offset, length, checksum?.Chunk, body ?? context.Request.Body, cancellationToken);
            var now = written.Whole ? await CompleteAsync(tenant, written.Session, cancellationToken) : written.Session;
            return (now, rechunker.Position(now).Offset);
        });
    }

    /// <summary>Commits at the backend once every part is stored, waiting a while for one that is still assembling.</summary>
    public Task<UploadSession> CompleteAsync(Tenant tenant, UploadSession session, CancellationToken cancellationToken) =>
        rechunker.CompleteAsync(tenant, session, tusOptions.Value.CompletionWait, cancellationToken);

    /// <summary>
    /// Runs <paramref name="write"/> as the one writer of <paramref name="id"/> across instances, with the core's refusals in
    /// tus's terms. Its token ends with the request, or when another writer takes over.
    /// </summary>
    public async Task<T> ExclusiveAsync<T>(HttpContext context, string id, Func<CancellationToken, Task<T>> write)
    {
        try
        {
            return await writers.RunAsync(id, async lost =>
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lost);
                return await write(either.Token);
            });
        }
        catch (GatewayException e) when (e.Error.Code == ErrorCode.ConcurrencyLimit.Code && e.Error.Status != StatusCodes.Status423Locked)
        {
            // Another writer holds the upload, or a part is still leased by a writer that died (a part's lease can
            // outlive the writer lock by up to one lease time): "busy, retry shortly" to a tus client, which retries 423 and not 429.
            throw new GatewayException(ErrorCode.ConcurrencyLimit with { Status = StatusCodes.Status423Locked }, e.Message)
            {
                RetryAfter = e.RetryAfter,
                UploadId = e.UploadId,
            };
        }
        catch (GatewayException e) when (e.Error.Code == ErrorCode.ChecksumMismatch.Code && e.Error.Status != TusApi.ChecksumMismatchStatus)
        {
            // The checksum extension's own status for a chunk whose Upload-Checksum differs.
            throw new GatewayException(ErrorCode.ChecksumMismatch with { Status = TusApi.ChecksumMismatchStatus }, e.Message);
        }
    }
}

/// <summary>A chunk's <c>Upload-Checksum</c>.</summary>
internal sealed record TusChecksum(string Name, HashAlgorithmName Algorithm, byte[] Expected)
{
    public ChunkChecksum Chunk => new(Name, Algorithm, Expected);
}
