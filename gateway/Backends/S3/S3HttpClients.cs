using Amazon.Runtime;

namespace Gateway.Backends.S3;

/// <summary>
/// The AWS SDK's HTTP client for the control plane, with every answer buffered before the SDK reads it, except an
/// object's own body (a <c>GET</c> of an object, read as a stream when the gateway hashes it back).
/// </summary>
/// <remarks>
/// The SDK parses answers, error answers included, with synchronous reads of the response stream. Where socket events
/// run request code on their own thread (Forwarding/InlineScheduling.cs), a synchronous read of bytes not yet
/// received waits for the very thread that would receive them: the request hung until its timeout (measured with a
/// gateway process on RGW; S3UploadTests). Buffered, the SDK reads memory. The answers are a few KiB of XML (a
/// ListParts page of 1,000 parts is the largest, about 250 KiB).
/// </remarks>
internal sealed class S3HttpClients : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new BufferedAnswers(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }))
        {
            // A factory of one's own takes over the SDK's client settings: its per-request timeout is the backend's.
            Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(100),
        };

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public override string GetConfigUniqueString(IClientConfig clientConfig) => "gateway-s3:" + clientConfig.Timeout;

    private sealed class BufferedAnswers(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var objectBody = request.Method == HttpMethod.Get && string.IsNullOrEmpty(request.RequestUri?.Query) && response.IsSuccessStatusCode;
            if (!objectBody)
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
            }
            return response;
        }
    }
}
