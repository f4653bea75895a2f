using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Domain;

namespace Gateway.Backends;

/// <summary>
/// Control-plane calls to one backend: the cluster's HTTP client, the backend's credential, a timeout, and
/// transport failures turned into <c>backend_unavailable</c>. Both adapters use it.
/// </summary>
internal sealed class BackendHttp(BackendCluster cluster, BackendOptions options)
{
    public BackendCluster Cluster => cluster;

    /// <summary>A request to a path under a destination picked from the cluster.</summary>
    public HttpRequestMessage Request(HttpMethod method, string pathAndQuery) =>
        Request(method, new Uri(BackendCluster.BaseOf(cluster.PickDestination()), pathAndQuery.TrimStart('/')));

    /// <summary>A request to an absolute URL the backend gave us (Box's <c>session_endpoints</c>).</summary>
    public HttpRequestMessage Request(HttpMethod method, Uri url)
    {
        var request = new HttpRequestMessage(method, url);
        Authorize(request);
        return request;
    }

    public void Authorize(HttpRequestMessage request) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Credential);

    public static void SetJson<T>(HttpRequestMessage request, T body, JsonTypeInfo<T> type) =>
        request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, type))
        {
            Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = Encoding.UTF8.WebName } },
        };

    public async Task<BackendResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            using var response = await cluster.Client.SendAsync(request, timeout.Token);
            return await BackendResponse.ReadAsync(response, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new GatewayException(ErrorCode.BackendUnavailable,
                $"The backend did not answer {request.Method} in time or could not be reached; retry shortly.")
            { RetryAfter = TimeSpan.FromSeconds(1) };
        }
        finally
        {
            request.Dispose();
        }
    }

    /// <summary>Readiness: any HTTP answer from a destination means the backend is reachable.</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, BackendCluster.BaseOf(cluster.PickDestination()));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var response = await cluster.Client.SendAsync(request, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or GatewayException)
        {
            return false;
        }
    }

    /// <summary>
    /// The errors every backend shares: credentials refused (the operator's problem, not the client's: no
    /// detail leaks), throttling and outages (retryable), anything else a <c>backend_error</c> naming the
    /// backend's own code.
    /// </summary>
    public static GatewayException CommonError(BackendResponse response, string backendCode, string operation) => response.Status switch
    {
        401 or 403 => new(ErrorCode.BackendError, $"The backend refused the gateway's credentials during {operation}."),
        429 or >= 500 => new(ErrorCode.BackendUnavailable, $"The backend is unavailable ({response.Status} during {operation}); retry shortly.")
        {
            RetryAfter = response.RetryAfter ?? TimeSpan.FromSeconds(1),
        },
        _ => new(ErrorCode.BackendError, $"The backend answered {response.Status} {backendCode} during {operation}."),
    };
}
