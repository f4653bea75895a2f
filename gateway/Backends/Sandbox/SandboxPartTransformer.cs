
namespace Gateway.Backends.Sandbox;

/// <summary>
/// A part as the sandbox takes it: <c>PUT …/parts/{n-1}</c>, with <c>X-Part-SHA256</c> when the client sent the
/// part's SHA-256. The gateway does not hash such a part: the sandbox checks the header against the bytes and
/// stores nothing on a mismatch (mock-sandbox/README.md, errors), so its 200 is the proof.
/// </summary>
internal sealed class SandboxPartTransformer(long size, BackendHttp http, string partPath, byte[]? sha256) : PartTransformer(size)
{
    protected override void Shape(HttpRequestMessage request, Uri destination)
    {
        request.RequestUri = new Uri(destination, partPath);
        http.Authorize(request);
        if (sha256 is not null)
        {
            request.Headers.Add(SandboxBackend.PartDigestHeader, Convert.ToHexStringLower(sha256));
        }
    }
}
