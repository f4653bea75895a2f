using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Gateway.Sessions;
using Gateway.Telemetry;

namespace Gateway.Events;

/// <summary>What one attempt came to.</summary>
/// <param name="Outcome">"ok", or why it failed: <c>http_5xx</c>, <c>http_429</c>, <c>http_4xx</c>, <c>redirect</c>, <c>timeout</c>, <c>connection_error</c>.</param>
/// <param name="RetryAfter">What a 429 or 503 asked for, when it did.</param>
internal sealed record Attempt(string Outcome, int? Status = null, TimeSpan? RetryAfter = null)
{
    public bool Delivered => Outcome == GatewayTelemetry.Ok;
}

/// <summary>
/// One signed POST of one event (Standard Webhooks: https://www.standardwebhooks.com), as a span linked to the
/// upload's trace. Only a 2xx delivers. The receiver is someone else's server, so nothing of it is trusted: no
/// redirect is followed (a 3xx fails), headers must come within <see cref="WebhookOptions.Timeout"/>, and the
/// response body is never read (disposing the response drops the connection rather than draining much of it).
/// </summary>
internal sealed class WebhookSender : IDisposable
{
    private readonly HttpMessageInvoker _http;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;

    public WebhookSender(WebhookOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _time = time;
        // One long-lived invoker for every endpoint (connections pooled per receiver); not the IHttpClientFactory
        // clients, whose defaults add service discovery and would be shared with the backends.
        _http = new HttpMessageInvoker(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = options.Timeout,
            MaxResponseHeadersLength = 16,
            MaxResponseDrainSize = 4096,
            ResponseDrainTimeout = TimeSpan.FromMilliseconds(100),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = options.MaxConcurrency,
        });
    }

    public async Task<Attempt> SendAsync(WebhookEndpoint endpoint, StoredEvent stored, byte[] body, int attempt, CancellationToken cancellationToken)
    {
        using var activity = StartSpan(endpoint, stored, attempt);
        var result = await SendCoreAsync(endpoint, stored, body, cancellationToken);
        if (activity is not null)
        {
            if (result.Status is { } status)
            {
                activity.SetTag(GatewayTelemetry.Tags.HttpStatus, status);
            }
            if (result.Delivered)
            {
                activity.SetTag(GatewayTelemetry.Tags.Outcome, GatewayTelemetry.Ok);
            }
            else
            {
                GatewayTelemetry.Fail(activity, result.Outcome);
            }
        }
        return result;
    }

    private async Task<Attempt> SendCoreAsync(WebhookEndpoint endpoint, StoredEvent stored, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        StandardWebhooks.AddHeaders(request, endpoint.Key, stored.EventId, _time.GetUtcNow(), body);
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _http.SendAsync(request, linked.Token);
            var status = (int)response.StatusCode;
            return status switch
            {
                >= 200 and < 300 => new Attempt(GatewayTelemetry.Ok, status),
                429 => new Attempt("http_429", status, RetryAfter(response)),
                >= 500 => new Attempt("http_5xx", status, status == 503 ? RetryAfter(response) : null),
                >= 300 and < 400 => new Attempt("redirect", status),
                _ => new Attempt("http_4xx", status),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Attempt("timeout");
        }
        catch (HttpRequestException)
        {
            return new Attempt("connection_error");
        }
    }

    /// <summary>RFC 9110 §10.2.3: seconds, or an HTTP date.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }
        return retryAfter?.Date is { } date ? date - _time.GetUtcNow() : null;
    }

    private static Activity? StartSpan(WebhookEndpoint endpoint, StoredEvent stored, int attempt)
    {
        // A delivery happens long after the request that caused it, often on another instance: its own trace,
        // linked to the upload's (https://opentelemetry.io/docs/concepts/signals/traces/#span-links).
        ActivityLink[]? links = stored.TraceParent is { } parent && ActivityContext.TryParse(parent, null, out var context)
            ? [new ActivityLink(context)]
            : null;
        var activity = GatewayTelemetry.Source.StartActivity("webhook deliver", ActivityKind.Producer, default(ActivityContext), links: links);
        if (activity is not null)
        {
            activity.SetTag(GatewayTelemetry.Tags.UploadId, stored.Session.Id);
            activity.SetTag(WebhookMetrics.EndpointTag, endpoint.Name);
            activity.SetTag(WebhookMetrics.EventTypeTag, stored.Type);
            activity.SetTag("webhook.event.id", stored.EventId);
            activity.SetTag("webhook.attempt", attempt.ToString(CultureInfo.InvariantCulture));
        }
        return activity;
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>One configured endpoint, its key read once.</summary>
internal sealed class WebhookEndpoint
{
    public WebhookEndpoint(string name, WebhookEndpointOptions options, int maxConcurrency)
    {
        Name = name;
        Url = new Uri(options.Url!);
        Key = StandardWebhooks.TryReadSecret(options.Secret, out var key) ? key : throw new InvalidOperationException($"Endpoint {name}: bad secret.");
        _events = [.. options.Events];
        _tenants = [.. options.Tenants];
        Slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
    }

    private readonly HashSet<string> _events;
    private readonly HashSet<string> _tenants;

    /// <summary>Also the consumer group's name on every shard stream.</summary>
    public string Name { get; }

    public Uri Url { get; }

    public byte[] Key { get; }

    /// <summary>Requests in flight to this endpoint from this instance, whatever the shard: a slow one holds only its own.</summary>
    public SemaphoreSlim Slots { get; }

    public bool Wants(StoredEvent stored) =>
        (stored.Only is null || stored.Only == Name)
        && (_events.Count == 0 || _events.Contains(stored.Type))
        && (_tenants.Count == 0 || _tenants.Contains(stored.Session.Tenant));
}
