using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Gateway.Backends;

/// <summary>
/// The HTTP client of a backend's control plane (create, complete, abort, Box's parts list): one named
/// <see cref="HttpClient"/> per backend from <see cref="IHttpClientFactory"/>, with the standard resilience
/// handler (Microsoft.Extensions.Http.Resilience: retries, circuit breaker, timeouts) in front of the backend's
/// YARP cluster client.
/// </summary>
/// <remarks>
/// <para>
/// The bottom of the chain is the cluster's own <see cref="HttpMessageInvoker"/>, the one YARP builds from
/// <c>ReverseProxy:Clusters:&lt;cluster&gt;:HttpClient</c>, so control-plane calls keep the cluster's TLS, proxy
/// and connection settings and its connection pool.
/// </para>
/// <para>
/// The part path never comes here: <c>PartForwarder</c> hands that same invoker straight to YARP's
/// <c>IHttpForwarder</c>, with no handler in between. A retry there would resend a streamed body, which is
/// gone once sent; the client retries a failed part itself.
/// </para>
/// </remarks>
internal static class ControlPlaneHttp
{
    public static string ClientName(string backend) => "backend:" + backend;

    /// <summary>Retries after a transport failure, a timeout or a 5xx; at most this many.</summary>
    private const int MaxRetries = 2;

    public static IServiceCollection AddControlPlaneClients(this IServiceCollection services, IConfiguration configuration)
    {
        foreach (var name in configuration.GetSection($"{BackendCatalogOptions.Section}:Backends").GetChildren().Select(b => b.Key))
        {
            services.AddHttpClient(ClientName(name))
                // The factory's own request logs carry every header's value in their state, the backend's
                // credential among them; the HttpClient spans and the adapters' logs say what a call did.
                .RemoveAllLoggers()
                .ConfigurePrimaryHttpMessageHandler(sp => new ClusterHandler(sp.GetRequiredService<BackendRegistry>().Get(name).Cluster))
                .AddStandardResilienceHandler()
                .Configure((HttpStandardResilienceOptions resilience, IServiceProvider sp) =>
                    Configure(resilience, sp.GetRequiredService<IOptions<BackendCatalogOptions>>().Value.Backends[name],
                        sp.GetRequiredService<BackendRegistry>().Get(name).Rules.IdempotencyKeyHeader));
        }
        return services;
    }

    private static void Configure(HttpStandardResilienceOptions resilience, BackendOptions backend, string? idempotencyKeyHeader)
    {
        // RequestTimeout bounds one attempt; the whole call, retries and their short delays included, gets
        // room for every attempt.
        resilience.AttemptTimeout.Timeout = backend.RequestTimeout;
        resilience.TotalRequestTimeout.Timeout = backend.RequestTimeout * (MaxRetries + 1) + TimeSpan.FromSeconds(5);
        resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, 2 * backend.RequestTimeout.Ticks));

        // The standard pipeline's outermost strategy: a concurrency limiter, by default 1,000 permits and no
        // queue, which refused every create beyond the thousandth of a burst (docs/BENCHMARKS.md, "Scale"). A
        // queued call waits for a permit before its timeouts start.
        resilience.RateLimiter.DefaultRateLimiterOptions.PermitLimit = backend.ControlPlaneConcurrency;
        resilience.RateLimiter.DefaultRateLimiterOptions.QueueLimit = backend.ControlPlaneQueue;

        resilience.Retry.MaxRetryAttempts = MaxRetries;
        resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
        // A backend's Retry-After is for the client: it gets it with backend_unavailable instead of a gateway
        // that sits on the request.
        resilience.Retry.ShouldRetryAfterHeader = false;
        resilience.Retry.ShouldHandle = args => ValueTask.FromResult(SafeToResend(args.Context.GetRequestMessage(), idempotencyKeyHeader) && Transient(args.Outcome));
    }

    /// <summary>
    /// A request that may be sent twice without doing twice what it does: an idempotent method (RFC 9110
    /// §9.2.2), or a POST the backend deduplicates by the key header it names (<see cref="BackendRules.IdempotencyKeyHeader"/>:
    /// the sandbox's create and complete). A backend without one (Box's create and commit) never has a POST retried.
    /// </summary>
    private static bool SafeToResend(HttpRequestMessage? request, string? idempotencyKeyHeader) =>
        request is not null
        && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Put
            || request.Method == HttpMethod.Delete || request.Method == HttpMethod.Options
            || (idempotencyKeyHeader is not null && request.Headers.Contains(idempotencyKeyHeader)));

    /// <summary>No answer, no answer in time, or a 5xx / 408. A 429 is the backend's back-pressure: the client sees it.</summary>
    private static bool Transient(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is HttpRequestException or Polly.Timeout.TimeoutRejectedException
        || outcome.Result is { StatusCode: >= HttpStatusCode.InternalServerError or HttpStatusCode.RequestTimeout };

    /// <summary>
    /// Sends through the cluster's invoker, read at each request (YARP replaces it when the cluster's
    /// configuration changes). Owns nothing: the invoker is YARP's, so the factory's handler rotation never
    /// disposes it.
    /// </summary>
    private sealed class ClusterHandler(BackendCluster cluster) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            cluster.Client.SendAsync(request, cancellationToken);

        protected override void Dispose(bool disposing)
        {
        }
    }
}
