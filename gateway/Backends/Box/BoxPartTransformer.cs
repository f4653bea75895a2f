using System.Net.Http.Headers;

namespace Gateway.Backends.Box;

/// <summary>
/// A part as Box takes it (Box's "Upload part of file", https://developer.box.com/reference/put-files-upload-sessions-id/): <c>PUT</c> to the session's <c>upload_part</c> endpoint,
/// with <c>Content-Range: bytes first-last/total</c> (inclusive) and <c>Digest: sha=&lt;base64 SHA-1&gt;</c>.
/// </summary>
internal sealed class BoxPartTransformer(long size, BackendHttp http, Uri uploadPart, long offset, long total, byte[] sha1) : PartTransformer(size)
{
    protected override void Shape(HttpRequestMessage request, Uri destination)
    {
        request.RequestUri = uploadPart;
        http.Authorize(request);
        request.Content!.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + Size - 1, total);
        request.Headers.TryAddWithoutValidation(BoxBackend.DigestHeader, "sha=" + Convert.ToBase64String(sha1));
    }
}
