using Amazon.S3.Model;

namespace Bench.Uploads;

/// <summary>
/// Straight to the S3 store (also through haproxy and nginx in front of it, which keep <c>Host</c> so signatures
/// hold), doing what the gateway's S3 backend does there: CreateMultipartUpload, then UploadPart requests streamed
/// with c in flight, each signed by the AWS SDK's SigV4 signer with the payload hash the gateway signs — the part's
/// SHA-256 when the client sends digests (computed before any timing; the store hashes the body and refuses a
/// mismatch), <c>UNSIGNED-PAYLOAD</c> otherwise — then ListParts (the gateway reconciles the parts the same way) and
/// CompleteMultipartUpload, and the object checked and deleted (<see cref="S3Store.CheckAndDeleteAsync"/>).
/// </summary>
internal sealed class DirectS3(UploadPathKind kind, HttpClient http, TestFile file, Uri endpoint, Uri store, long partSize)
    : UploadPath("s3", kind, http, file)
{
    public override async Task<UploadSession> CreateAsync(CancellationToken cancellationToken)
    {
        var key = $"bench-{Name}.bin";
        using var client = S3Store.Client(endpoint);
        var upload = await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Services.CephRgwStore.Bucket, Key = key }, cancellationToken);
        return new Session(this, key, upload.UploadId, ClientDigest ? File.PartSha256(partSize) : null)
        {
            PartSize = partSize,
            PartCount = (int)((File.Length + partSize - 1) / partSize),
            Length = File.Length,
        };
    }

    private sealed class Session(DirectS3 path, string key, string uploadId, byte[][]? partSha256) : UploadSession
    {
        private readonly Uri _object = new(path.Endpoint(), Services.CephRgwStore.Bucket + "/" + Uri.EscapeDataString(key));

        public override HttpRequestMessage PartRequest(int index)
        {
            var request = path.PartRequest(HttpMethod.Put, new Uri(_object, $"?partNumber={index + 1}&uploadId={Uri.EscapeDataString(uploadId)}"), "", OffsetOf(index), SizeOf(index));
            // The benchmark's bearer header has no place in an S3 request: SigV4's Authorization replaces it.
            request.Headers.Authorization = null;
            S3Store.Sign(request, partSha256 is null ? S3Store.UnsignedPayload : Convert.ToHexStringLower(partSha256[index]));
            return request;
        }

        public override async Task CompleteAsync(CancellationToken cancellationToken)
        {
            using var client = S3Store.Client(path.Endpoint());
            var parts = new List<PartETag>();
            var list = new ListPartsRequest { BucketName = Services.CephRgwStore.Bucket, Key = key, UploadId = uploadId, MaxParts = 1000 };
            while (true)
            {
                var page = await client.ListPartsAsync(list, cancellationToken);
                parts.AddRange((page.Parts ?? []).Select(p => new PartETag(p.PartNumber ?? 0, p.ETag)));
                if (page.IsTruncated != true || page.NextPartNumberMarker is not { } next)
                {
                    break;
                }
                list.PartNumberMarker = next.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            if (parts.Count != PartCount)
            {
                throw new BenchException($"The store holds {parts.Count} parts of {key}, not {PartCount}.");
            }
            await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = Services.CephRgwStore.Bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = parts,
            }, cancellationToken);
            await S3Store.CheckAndDeleteAsync(path.Store, key, path.File, cancellationToken);
        }
    }

    private Uri Endpoint() => endpoint;

    /// <summary>The store itself (not the proxy), where the object is checked.</summary>
    private Uri Store => store;
}
