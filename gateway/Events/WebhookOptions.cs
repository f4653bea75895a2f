using System.ComponentModel.DataAnnotations;

namespace Gateway.Events;

/// <summary><c>Gateway:Webhooks</c>: where lifecycle events go, and how hard the gateway tries (docs/events.md).</summary>
internal sealed class WebhookOptions
{
    public const string Section = "Gateway:Webhooks";

    /// <summary>By name; the name is the endpoint's consumer group, so renaming one starts it afresh.</summary>
    public Dictionary<string, WebhookEndpointOptions> Endpoints { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long an event is retried, counted from when it happened, before it becomes a dead letter.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The wait after the first failure; it doubles after each further one, with jitter, up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>One attempt, from connecting to the response's headers; a slower receiver counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an owner looks for new events in its shard when there were none.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long one instance owns a shard for an endpoint without renewing; after an instance dies, its shards
    /// and what it had in hand move to another one within this time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests in flight at once to one endpoint, from one instance: a slow receiver holds only its own.</summary>
    [Range(1, 256)]
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Events an owner holds in memory per shard and endpoint; while a receiver is down it reads no further.</summary>
    [Range(1, 100_000)]
    public int MaxInHand { get; set; } = 1000;
}

/// <summary><c>Gateway:Webhooks:Endpoints:&lt;name&gt;</c>.</summary>
internal sealed class WebhookEndpointOptions
{
    public string? Url { get; set; }

    /// <summary><c>whsec_&lt;base64&gt;</c>, as the Standard Webhooks specification writes secrets.</summary>
    public string? Secret { get; set; }

    /// <summary>Event types to send (<see cref="Gateway.Sessions.EventTypes"/>); empty: all.</summary>
    public List<string> Events { get; set; } = [];

    /// <summary>Tenants whose events to send; empty: all.</summary>
    public List<string> Tenants { get; set; } = [];
}
