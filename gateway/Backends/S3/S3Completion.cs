using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Gateway.Domain;
using Gateway.Sessions;
using UploadGateway.Contract;

namespace Gateway.Backends.S3;

/// <summary>
/// Complete and abort of an S3 session. Complete: the parts the store holds reconciled with the ones recorded
/// (ListParts, every page), CompleteMultipartUpload under the staging key with the recorded ETags, the whole-object
/// digests the client gave checked by reading the assembled object back (S3 keeps no SHA-256 of a multipart object,
/// so no one else can), then the object published under its key by a server-side copy (range by range over
/// <c>MaxCopyBytes</c>) and the staging object deleted. A wrong digest deletes the staging object: nothing is published.
/// </summary>
/// <remarks>
/// Each step can be repeated: a complete retried after a lost answer finds the multipart upload already assembled
/// (or already published) and carries on from there.
/// </remarks>
internal sealed class S3Completion(string name, S3Options options, AmazonS3Client client)
{
    private const int PageSize = 1000;

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) =>
        await SizeAsync(key, cancellationToken) is not null;

    public async Task<CommitOutcome> CompleteAsync(UploadSession session, IReadOnlyList<PartRecord> parts, WholeChecksums checksums, CancellationToken cancellationToken)
    {
        var staging = S3Keys.Staging(options.KeyPrefix, session.Id);
        var key = S3Keys.Object(options.KeyPrefix, S3Target.Of(session.Target).Key);
        if (!await AssembleAsync(session, staging, key, parts, cancellationToken))
        {
            return Completed(key, session.ContentLength, null);
        }
        string? sha1 = null;
        if (checksums.Sha256 is not null || checksums.Sha1 is not null)
        {
            var (actual256, actual1) = await HashAsync(staging, checksums.Sha1 is not null, cancellationToken);
            if ((checksums.Sha256 is { } want256 && !want256.Equals(actual256, StringComparison.OrdinalIgnoreCase))
                || (checksums.Sha1 is { } want1 && !want1.Equals(actual1, StringComparison.OrdinalIgnoreCase)))
            {
                await client.DeleteObjectAsync(options.Bucket, staging, cancellationToken);
                throw new GatewayException(ErrorCode.ChecksumMismatch,
                    "The assembled object's digest differs from the one given; the upload failed and nothing was published.") { EndsSession = true };
            }
            sha1 = actual1;
        }
        var exclusive = session.Conflict == ContractValues.Conflicts.Error;
        if (exclusive && await ExistsAsync(key, cancellationToken))
        {
            throw KeyTaken();
        }
        try
        {
            await PublishAsync(staging, key, session.ContentLength, exclusive, cancellationToken);
        }
        catch (AmazonS3Exception e) when (exclusive && e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            // A writer took the key between the HEAD and the copy, and the store honours If-None-Match (AWS S3 does).
            throw KeyTaken();
        }
        await client.DeleteObjectAsync(options.Bucket, staging, cancellationToken);
        // CompleteMultipartUpload's own ETag is empty on RGW 16 (ENVIRONMENT.md, gotcha 5): the published object says what landed.
        var size = await SizeAsync(key, cancellationToken);
        if (size != session.ContentLength)
        {
            throw new GatewayException(ErrorCode.BackendError, $"S3 backend '{name}' published {size?.ToString() ?? "no"} bytes, not {session.ContentLength}.");
        }
        return Completed(key, size.Value, sha1);
    }

    public async Task AbortAsync(UploadSession session, CancellationToken cancellationToken)
    {
        var staging = S3Keys.Staging(options.KeyPrefix, session.Id);
        if (session.BackendSession.Id.Length > 0)
        {
            try
            {
                await client.AbortMultipartUploadAsync(options.Bucket, staging, session.BackendSession.Id, cancellationToken);
            }
            catch (AmazonS3Exception e) when (S3Errors.IsNotFound(e))
            {
                // Aborted or assembled before: a session the store no longer knows counts as aborted.
            }
        }
        // Assembled but not published (a conflict at complete): nothing of the session stays behind.
        await client.DeleteObjectAsync(options.Bucket, staging, cancellationToken);
    }

    /// <summary>Builds the staging object; false when an earlier complete already published it.</summary>
    private async Task<bool> AssembleAsync(UploadSession session, string staging, string key, IReadOnlyList<PartRecord> parts, CancellationToken cancellationToken)
    {
        if (session.PartCount == 0)
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = options.Bucket, Key = staging, ContentBody = "" }, cancellationToken);
            return true;
        }
        var stored = await ListPartsAsync(staging, session.BackendSession.Id, cancellationToken);
        if (stored is null)
        {
            // No multipart upload any more: an earlier complete assembled it (its answer lost), and maybe published it.
            if (await SizeAsync(staging, cancellationToken) == session.ContentLength)
            {
                return true;
            }
            if (await SizeAsync(key, cancellationToken) == session.ContentLength)
            {
                return false;
            }
            throw new GatewayException(ErrorCode.BackendError, $"S3 backend '{name}' no longer knows this upload.") { EndsSession = true };
        }
        foreach (var part in parts)
        {
            if (!stored.TryGetValue(part.Number, out var held) || Unquote(held.ETag) != Unquote(part.BackendPartId) || held.Size != part.Size)
            {
                // A recorded part sent again never reaches the store, so only a writer outside the gateway (or a store
                // that lost it) makes it differ: the upload cannot be completed as it was accepted.
                await AbortAsync(session, cancellationToken);
                throw new GatewayException(ErrorCode.BackendError,
                    $"S3 backend '{name}' holds part {part.Number} other than the gateway recorded (changed outside the gateway); the upload failed and nothing was published.")
                {
                    EndsSession = true,
                };
            }
        }
        var answer = await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = options.Bucket,
            Key = staging,
            UploadId = session.BackendSession.Id,
            PartETags = [.. parts.Select(p => new PartETag(p.Number, p.BackendPartId))],
        }, cancellationToken);
        // S3 may answer 200 and then an <Error> in the body once it has begun assembling
        // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html): then no result document came.
        if (answer.Key is null && answer.BucketName is null && answer.Location is null)
        {
            throw S3Errors.Unavailable(name, "complete");
        }
        return true;
    }

    /// <summary>The staging object stays until the session is aborted or expires; a complete after the key is freed publishes it.</summary>
    private static GatewayException KeyTaken() =>
        new(ErrorCode.Conflict, "An object with this key exists now and conflict is \"error\"; nothing was published.");

    /// <summary>
    /// Copies the staging object to its key inside the store: one CopyObject up to <see cref="S3Options.MaxCopyBytes"/>
    /// (S3 copies at most 5 GiB at once), else a multipart upload of UploadPartCopy ranges, aborted if a range fails.
    /// </summary>
    /// <remarks>
    /// <paramref name="exclusive"/>: the publishing request carries <c>If-None-Match: *</c>, so a store that honours it
    /// (AWS S3, on CopyObject and CompleteMultipartUpload) refuses with 412 a key taken after the caller's HEAD. Ceph
    /// RGW 16 ignores it on both and overwrites (README.md, "S3 backends"; S3StoreConditionTests): there the HEAD is
    /// the only check.
    /// </remarks>
    private async Task PublishAsync(string staging, string key, long size, bool exclusive, CancellationToken cancellationToken)
    {
        var ifNoneMatch = exclusive ? "*" : null;
        if (size <= options.MaxCopyBytes)
        {
            await client.CopyObjectAsync(new CopyObjectRequest
            {
                SourceBucket = options.Bucket,
                SourceKey = staging,
                DestinationBucket = options.Bucket,
                DestinationKey = key,
                IfNoneMatch = ifNoneMatch,
            }, cancellationToken);
            return;
        }
        var upload = (await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = options.Bucket, Key = key }, cancellationToken)).UploadId;
        try
        {
            var parts = new List<PartETag>();
            for (var (number, first) = (1, 0L); first < size; number++, first += options.MaxCopyBytes)
            {
                var copied = await client.CopyPartAsync(new CopyPartRequest
                {
                    SourceBucket = options.Bucket,
                    SourceKey = staging,
                    DestinationBucket = options.Bucket,
                    DestinationKey = key,
                    UploadId = upload,
                    PartNumber = number,
                    FirstByte = first,
                    LastByte = Math.Min(first + options.MaxCopyBytes, size) - 1,
                }, cancellationToken);
                parts.Add(new PartETag(number, copied.ETag));
            }
            await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = options.Bucket,
                Key = key,
                UploadId = upload,
                PartETags = parts,
                IfNoneMatch = ifNoneMatch,
            }, cancellationToken);
        }
        catch
        {
            // Best effort: what failed is what the caller must hear of; a multipart upload left behind is the bucket's lifecycle rule's to end.
            await client.AbortMultipartUploadAsync(options.Bucket, key, upload, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            throw;
        }
    }

    /// <summary>Every part the store holds for the upload, by number (ListParts pages of 1,000); null when it knows no such upload.</summary>
    private async Task<Dictionary<int, PartDetail>?> ListPartsAsync(string staging, string uploadId, CancellationToken cancellationToken)
    {
        var parts = new Dictionary<int, PartDetail>();
        var request = new ListPartsRequest { BucketName = options.Bucket, Key = staging, UploadId = uploadId, MaxParts = PageSize };
        try
        {
            while (true)
            {
                var page = await client.ListPartsAsync(request, cancellationToken);
                foreach (var part in page.Parts ?? [])
                {
                    parts[part.PartNumber ?? 0] = part;
                }
                if (page.IsTruncated != true || page.NextPartNumberMarker is not { } next)
                {
                    return parts;
                }
                request.PartNumberMarker = next.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        catch (AmazonS3Exception e) when (S3Errors.IsNotFound(e))
        {
            // AWS answers NoSuchUpload, RGW 16 NoSuchKey (ENVIRONMENT.md, gotcha 5).
            return null;
        }
    }

    private async Task<(string Sha256, string? Sha1)> HashAsync(string staging, bool sha1, CancellationToken cancellationToken)
    {
        using var sha256Hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var sha1Hash = sha1 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA1) : null;
        using var response = await client.GetObjectAsync(options.Bucket, staging, cancellationToken);
        await using var stream = response.ResponseStream;
        var buffer = new byte[1 << 20];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            sha256Hash.AppendData(buffer, 0, read);
            sha1Hash?.AppendData(buffer, 0, read);
        }
        return (Convert.ToHexStringLower(sha256Hash.GetHashAndReset()), sha1Hash is null ? null : Convert.ToHexStringLower(sha1Hash.GetHashAndReset()));
    }

    private async Task<long?> SizeAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = options.Bucket, Key = key }, cancellationToken)).ContentLength;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static CommitOutcome Completed(string key, long size, string? sha1) =>
        new CommitOutcome.Completed(new SessionResult { Path = key, Size = size, Sha1 = sha1 });

    private static string? Unquote(string? etag) => etag?.Trim('"');
}
