namespace Gateway.Domain;

/// <summary>
/// A failure with a contract error code, thrown where it is found (store, backend adapter, forwarding) and
/// answered by the front that called the core (v1: problem+json).
/// </summary>
internal sealed class GatewayException(ErrorCode error, string detail) : Exception(detail)
{
    public ErrorCode Error { get; } = error;

    public string? UploadId { get; init; }

    /// <summary>Sent as <c>Retry-After</c> (seconds) with retryable errors.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Extra members of the problem body, e.g. <c>missing_parts</c>.</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; init; }

    /// <summary>The backend ended its session because of this error (e.g. a failed checksum at publish).</summary>
    public bool EndsSession { get; init; }
}
