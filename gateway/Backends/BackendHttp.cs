using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Domain;
using Polly;
using Polly.RateLimiting;

namespace Gateway.Backends;

/// <summary>
/// Control-plane calls to one backend: its resilient client (<see cref="ControlPlaneHttp"/>), the backend's
/// credential, and transport failures, timeouts and an open circuit turned into <c>backend_unavailable</c>. Both
/// adapters use it.
/// </summary>
internal sealed class BackendHttp(string name, BackendCluster cluster, BackendOptions options, IHttpClientFactory clients)
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
        try
        {
            using var client = clients.CreateClient(ControlPlaneHttp.ClientName(name));
            // The resilience handler's timeouts bound the call (RequestTimeout per attempt); the answer is read
            // within the attempt, since SendAsync buffers it.
            client.Timeout = Timeout.InfiniteTimeSpan;
            using var response = await client.SendAsync(request, cancellationToken);
            return await BackendResponse.ReadAsync(response, cancellationToken);
        }
        catch (RateLimiterRejectedException e)
        {
            // Not the backend's fault: this instance's own bound on calls to it (BackendOptions.ControlPlaneConcurrency
            // and its queue) is full.
            throw new GatewayException(ErrorCode.BackendUnavailable,
                $"The gateway has {options.ControlPlaneConcurrency} calls to this backend in flight and {options.ControlPlaneQueue} waiting; retry shortly.")
            { RetryAfter = e.RetryAfter ?? TimeSpan.FromSeconds(1) };
        }
        catch (Exception e) when (e is HttpRequestException or IOException or ExecutionRejectedException
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

    /// <summary>
    /// Readiness: any HTTP answer from a destination means the backend is reachable. Straight through the
    /// cluster's client: a probe is never retried. The health check's own timeout bounds it.
    /// </summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, BackendCluster.BaseOf(cluster.PickDestination()));
            using var response = await cluster.Client.SendAsync(request, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or GatewayException)
        {
            return false;
        }
    }

    /// <summary>
    /// The errors every backend shares: credentials refused (the operator's problem, not the client's: no
    /// detail leaks), throttling, outages and a request the backend timed out (408: our body reached it too
    /// slowly; retryable), anything else a <c>backend_error</c> naming the
    /// backend's own code.
    /// </summary>
    public static GatewayException CommonError(BackendResponse response, string backendCode, string operation) => response.Status switch
    {
        401 or 403 => new(ErrorCode.BackendError, $"The backend refused the gateway's credentials during {operation}."),
        408 or 429 or >= 500 => new(ErrorCode.BackendUnavailable, $"The backend is unavailable ({response.Status} during {operation}); retry shortly.")
        {
            RetryAfter = response.RetryAfter ?? TimeSpan.FromSeconds(1),
        },
        _ => new(ErrorCode.BackendError, $"The backend answered {response.Status} {backendCode} during {operation}."),
    };
}
