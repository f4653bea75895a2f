using System.Diagnostics.Metrics;
using static Gateway.Telemetry.GatewayTelemetry;

namespace Gateway.Telemetry;

/// <summary>
/// The instruments of event delivery (docs/events.md), on the gateway's Meter: every attempt by outcome, the
/// failed ones by cause, dead letters, and the lag, the age of the oldest event this instance has not yet got
/// through to an endpoint. The alert on delivery lag (observability/) reads the last one.
/// </summary>
internal sealed class WebhookMetrics
{
    public const string Deliveries = "gateway.webhooks.deliveries";
    public const string Failures = "gateway.webhooks.failures";
    public const string DeadLetters = "gateway.webhooks.dead_letters";
    public const string Lag = "gateway.webhooks.lag";

    /// <summary>The endpoint's configured name (never its URL: it may carry a token).</summary>
    public const string EndpointTag = "webhook.endpoint";

    public const string EventTypeTag = "webhook.event.type";

    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _deadLetters;
    private readonly Meter _meter;

    public WebhookMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = _meter = meters.Create(Name);
        _deliveries = meter.CreateCounter<long>(Deliveries, "{attempt}", "Webhook delivery attempts, by endpoint and outcome (ok, or why it failed).");
        _failures = meter.CreateCounter<long>(Failures, "{attempt}", "Webhook delivery attempts that failed, by endpoint and error.type; each is retried.");
        _deadLetters = meter.CreateCounter<long>(DeadLetters, "{event}", "Events given up on after retrying, kept as dead letters, by endpoint.");
    }

    /// <summary>The lag gauge: <paramref name="oldest"/> answers, per endpoint, the age of the oldest undelivered event in hand.</summary>
    public void ObserveLag(Func<IEnumerable<(string Endpoint, TimeSpan Age)>> oldest)
    {
        ArgumentNullException.ThrowIfNull(oldest);
        _meter.CreateObservableGauge(Lag, () => oldest().Select(o =>
                new Measurement<double>(o.Age.TotalSeconds, new KeyValuePair<string, object?>(EndpointTag, o.Endpoint))),
            "s", "Age of the oldest event this instance holds that its endpoint has not accepted yet; 0 when none.");
    }

    public void Attempted(string endpoint, string eventType, string outcome)
    {
        _deliveries.Add(1, new(EndpointTag, endpoint), new(EventTypeTag, eventType), new(Tags.Outcome, outcome));
        if (outcome != Ok)
        {
            _failures.Add(1, new(EndpointTag, endpoint), new(Tags.ErrorType, outcome));
        }
    }

    public void DeadLettered(string endpoint, string eventType) =>
        _deadLetters.Add(1, new(EndpointTag, endpoint), new(EventTypeTag, eventType));
}
