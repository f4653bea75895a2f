using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace Gateway.Backends.S3;

/// <summary>
/// A part as S3 takes it: <c>PUT /{bucket}/{key}?partNumber=N&amp;uploadId=…</c>, signed with SigV4 by the AWS SDK's
/// own signer (<see cref="AWSSigV4Signer"/>), the body streamed as it comes.
/// </summary>
/// <remarks>
/// The payload hash SigV4 signs (<c>x-amz-content-sha256</c>) is the part's SHA-256 when the client sent it: the
/// store hashes the body and refuses the part on a mismatch before it keeps it (measured on Ceph RGW 16:
/// <c>400 XAmzContentSHA256Mismatch</c>, nothing stored; AWS does the same), so the gateway hashes nothing.
/// Otherwise it is <c>UNSIGNED-PAYLOAD</c> and the gateway hashes the part as it streams. No
/// <c>x-amz-checksum-sha256</c>: RGW 16 ignores it, and AWS refuses it on an upload not created with that
/// algorithm (README.md, "Which digest is checked where").
/// </remarks>
internal sealed class S3PartTransformer(long size, S3Endpoint endpoint, string key, string uploadId, int partNumber, byte[]? sha256)
    : PartTransformer(size)
{
    protected override void Shape(HttpRequestMessage request, Uri destination)
    {
        request.RequestUri = endpoint.ObjectUri(destination, key, $"partNumber={partNumber}&uploadId={Uri.EscapeDataString(uploadId)}");
        endpoint.Sign(request, sha256 is null ? S3Endpoint.UnsignedPayload : Convert.ToHexStringLower(sha256));
    }
}

/// <summary>How one backend's requests are addressed (path or virtual-host style) and signed.</summary>
internal sealed class S3Endpoint(S3Options options, AWSCredentials credentials)
{
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string ContentSha256Header = "x-amz-content-sha256";

    private readonly Amazon.RegionEndpoint _region = Amazon.RegionEndpoint.GetBySystemName(options.Region);

    /// <summary>
    /// The URL of an object under a destination of the backend's cluster: the bucket in the path (path style), or in
    /// the destination's host already (virtual-host style, S3Clusters).
    /// </summary>
    public Uri ObjectUri(Uri destination, string key, string query)
    {
        var path = (options.PathStyle ? Uri.EscapeDataString(options.Bucket) + "/" : "") + S3Keys.EscapePath(key);
        return new Uri(destination, path + "?" + query);
    }

    /// <summary>Signs the request in place: <c>Authorization</c>, <c>X-Amz-Date</c>, <c>x-amz-content-sha256</c>.</summary>
    public void Sign(HttpRequestMessage request, string payloadHash)
    {
        var signing = new AWSSigningRequest { HttpMethod = request.Method, RequestUri = request.RequestUri! };
        // The signer signs the payload hash given in this header as it is, UNSIGNED-PAYLOAD included; its own way to
        // an unsigned payload (SignPayload = false) is refused over plain HTTP, which a store on loopback speaks.
        signing.Headers[ContentSha256Header] = payloadHash;
        var signed = AWSSigV4Signer.Sign(signing, new AWSSigV4Parameters
        {
            Credentials = credentials,
            Region = _region,
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
}
