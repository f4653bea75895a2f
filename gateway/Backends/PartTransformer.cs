using System.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Backends;

/// <summary>
/// Shapes the outgoing part request for one backend and keeps the backend's answer instead of copying it to
/// the client: the gateway answers in its own contract (<see cref="IUploadBackend.AcceptPartAsync"/>).
/// </summary>
/// <remarks>
/// The base transform is deliberately not called for the request: it copies every client header, the
/// gateway's own <c>Authorization</c> included. A part request carries exactly what the backend needs.
/// </remarks>
internal abstract class PartTransformer(long size) : HttpTransformer
{
    /// <summary>The part's size in bytes.</summary>
    protected long Size { get; } = size;

    /// <summary>The backend's answer, once it came (null when the request failed before an answer).</summary>
    public BackendResponse? Response { get; private set; }

    public sealed override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest,
        string destinationPrefix, CancellationToken cancellationToken)
    {
        proxyRequest.Method = HttpMethod.Put;
        // A chunked client body still leaves with a Content-Length: the part's size is known, and enforced by
        // PartBodyStream, so the backend never has to guess.
        proxyRequest.Content!.Headers.ContentLength = Size;
        proxyRequest.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        Shape(proxyRequest, new Uri(destinationPrefix.TrimEnd('/') + "/"));
        return ValueTask.CompletedTask;
    }

    /// <summary>Sets the request URI and the backend's headers (credentials, ranges, digests).</summary>
    protected abstract void Shape(HttpRequestMessage request, Uri destination);

    public sealed override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse,
        CancellationToken cancellationToken)
    {
        if (proxyResponse is not null)
        {
            Response = await BackendResponse.ReadAsync(proxyResponse, cancellationToken);
        }
        return false;
    }
}
