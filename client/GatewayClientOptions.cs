namespace UploadGateway.Client;

/// <summary>Where the gateway is, how to authenticate, and how patiently to talk to it.</summary>
public sealed record GatewayClientOptions
{
    /// <summary>The gateway's address, e.g. <c>http://127.0.0.1:5080</c> (a path prefix is kept).</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>Sent as <c>Authorization: Bearer …</c>: an API key or a JWT.</summary>
    public required string ApiKey { get; init; }

    public RetryOptions Retry { get; init; } = new();

    /// <summary>How long one attempt of one request may take, part uploads included.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long <see cref="GatewayClient.CompleteAsync"/> keeps repeating complete while the backend answers 202.</summary>
    public TimeSpan CompletionTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The clock for back-off delays, timeouts and throughput.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// Retries of retryable answers (429 <c>concurrency_limit</c>/<c>rate_limited</c>, 503 <c>backend_unavailable</c>/
/// <c>store_unavailable</c>) and, for requests that are safe to repeat, of failed connections and timeouts.
/// </summary>
public sealed record RetryOptions
{
    /// <summary>Attempts per request, the first included; 1 turns retrying off.</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>The first back-off; it doubles per attempt, with jitter, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between attempts, a server's <c>Retry-After</c> included.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);
}
