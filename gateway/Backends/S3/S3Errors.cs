using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.S3;
using Gateway.Domain;

namespace Gateway.Backends.S3;

/// <summary>
/// The store's refusals in contract terms: S3's error codes
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html), from the SDK's exceptions on the control
/// plane and from the XML body of a part's answer on the data plane. Credentials refused are the operator's
/// problem (no detail leaks); throttling and outages are retryable.
/// </summary>
internal static class S3Errors
{
    private static readonly TimeSpan s_retry = TimeSpan.FromSeconds(1);

    /// <summary>A control-plane call that failed, or null when the exception is not the store's (a bug, a cancelled request).</summary>
    public static GatewayException? FromCall(Exception e, string backend, string operation, CancellationToken cancellationToken)
    {
        if (e is AmazonS3Exception { StatusCode: not 0 } s3 && s3.InnerException is not (HttpRequestException or IOException or SocketException))
        {
            return FromStatus((int)s3.StatusCode, s3.ErrorCode ?? "", backend, operation);
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpRequestException or IOException or SocketException or OperationCanceledException or AmazonClientException)
            {
                return Unavailable(backend, operation);
            }
        }
        return e is AmazonServiceException ? Unavailable(backend, operation) : null;
    }

    /// <summary>A part the store refused, from its answer's status and XML error body.</summary>
    public static GatewayException FromPart(BackendResponse response, string backend)
    {
        var code = Code(response.Body);
        return (response.Status, code) switch
        {
            // SigV4's payload hash is the client's SHA-256 of the part: the store hashed the bytes and kept nothing.
            (400, "XAmzContentSHA256Mismatch" or "BadDigest" or "InvalidDigest") =>
                new(ErrorCode.ChecksumMismatch, "The store found the part's SHA-256 differs from its bytes; it kept nothing."),
            (400, "EntityTooLarge") => new(ErrorCode.UploadTooLarge, "The part is larger than the store accepts."),
            (404, "NoSuchUpload" or "NoSuchKey") => new(ErrorCode.BackendError, $"Backend '{backend}' no longer knows this upload (it was aborted or completed)."),
            _ => FromStatus(response.Status, code, backend, "part upload"),
        };
    }

    public static GatewayException Unavailable(string backend, string operation) =>
        new(ErrorCode.BackendUnavailable, $"S3 backend '{backend}' could not be reached during {operation}; retry shortly.") { RetryAfter = s_retry };

    private static GatewayException FromStatus(int status, string code, string backend, string operation) => (status, code) switch
    {
        (403, _) or (_, "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "AccessDenied") =>
            new(ErrorCode.BackendError, $"S3 backend '{backend}' refused the gateway's credentials during {operation}."),
        (404, "NoSuchBucket") => new(ErrorCode.BackendError, $"S3 backend '{backend}' has no such bucket."),
        // A 200 whose body is an error (CompleteMultipartUpload, CopyObject): S3 failed after it began; retry.
        (200, _) or (429, _) or (503, _) or (>= 500, _) => new(ErrorCode.BackendUnavailable,
            $"S3 backend '{backend}' is unavailable ({status} {code} during {operation}); retry shortly.") { RetryAfter = s_retry },
        _ => new(ErrorCode.BackendError, $"S3 backend '{backend}' answered {status} {code} during {operation}."),
    };

    /// <summary>The <c>&lt;Code&gt;</c> of an S3 error body, or <c>unknown</c>.</summary>
    public static string Code(byte[] body)
    {
        if (body.Length == 0)
        {
            return "unknown";
        }
        try
        {
            using var reader = System.Xml.XmlReader.Create(new MemoryStream(body), new System.Xml.XmlReaderSettings { DtdProcessing = System.Xml.DtdProcessing.Prohibit });
            var root = XDocument.Load(reader).Root;
            return root?.Name.LocalName == "Error" && root.Element("Code")?.Value is { Length: > 0 } code ? code : "unknown";
        }
        catch (System.Xml.XmlException)
        {
            return "unknown";
        }
    }

    public static bool IsNotFound(AmazonS3Exception e) => e.StatusCode == HttpStatusCode.NotFound;
}
