using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Amazon.S3;
using Amazon.S3.Model;
using Bench.Services;

namespace Bench.Uploads;

/// <summary>
/// The benchmark's own view of the S3 store: an SDK client (path style, checksums only where S3 requires them, as the
/// gateway's: RGW 16 takes no aws-chunked trailers), the SigV4 signing of a part as the gateway signs it, and the
/// check that what landed under a key is the file.
/// </summary>
internal static class S3Store
{
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    private static readonly BasicAWSCredentials s_credentials = new(CephRgwStore.AccessKey, CephRgwStore.SecretKey);

    /// <summary>An S3 client for <paramref name="endpoint"/> (the store, or a plain proxy in front of it keeping <c>Host</c>).</summary>
    public static AmazonS3Client Client(Uri endpoint) => new(s_credentials, new AmazonS3Config
    {
        ServiceURL = endpoint.ToString(),
        ForcePathStyle = true,
        AuthenticationRegion = CephRgwStore.Region,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        MaxErrorRetry = 0,
    });

    /// <summary>
    /// Signs a request in place with the AWS SDK's SigV4 signer, exactly as the gateway's S3 backend signs a part:
    /// the payload hash given in <c>x-amz-content-sha256</c> as it is (the part's SHA-256, which the store then checks,
    /// or <c>UNSIGNED-PAYLOAD</c>).
    /// </summary>
    public static void Sign(HttpRequestMessage request, string payloadHash)
    {
        var signing = new AWSSigningRequest { HttpMethod = request.Method, RequestUri = request.RequestUri! };
        signing.Headers["x-amz-content-sha256"] = payloadHash;
        var signed = AWSSigV4Signer.Sign(signing, new AWSSigV4Parameters
        {
            Credentials = s_credentials,
            Region = Amazon.RegionEndpoint.GetBySystemName(CephRgwStore.Region),
            Service = "s3",
            SignPayload = true,
        });
        foreach (var (name, value) in signed.Headers)
        {
            if (!name.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Remove(name);
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }

    /// <summary>
    /// Checks that the object under <paramref name="key"/> is the file — its size as the store reports it, and three
    /// ranged reads (the start, a random place, the end) byte for byte — then deletes it, so the store's RAM holds
    /// one file per path. Not timed.
    /// </summary>
    public static async Task CheckAndDeleteAsync(Uri store, string key, TestFile file, CancellationToken cancellationToken)
    {
        using var client = Client(store);
        var head = await client.GetObjectMetadataAsync(CephRgwStore.Bucket, key, cancellationToken);
        if (head.ContentLength != file.Length)
        {
            throw new BenchException($"The store holds {head.ContentLength} bytes under {key}, not the file's {file.Length}.");
        }
        const int Window = 64 * 1024;
        foreach (var first in new[] { 0, Random.Shared.NextInt64(Math.Max(1, file.Length - Window)), Math.Max(0, file.Length - Window) })
        {
            var length = (int)Math.Min(Window, file.Length - first);
            var expected = new byte[length];
            RandomAccess.Read(file.Handle, expected, first);
            using var range = await client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = CephRgwStore.Bucket,
                Key = key,
                ByteRange = new ByteRange(first, first + length - 1),
            }, cancellationToken);
            var actual = new byte[length];
            await range.ResponseStream.ReadExactlyAsync(actual, cancellationToken);
            if (!actual.AsSpan().SequenceEqual(expected))
            {
                throw new BenchException($"The store's bytes {first}–{first + length - 1} under {key} are not the file's.");
            }
        }
        await client.DeleteObjectAsync(CephRgwStore.Bucket, key, cancellationToken);
    }
}
