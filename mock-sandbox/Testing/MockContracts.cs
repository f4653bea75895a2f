namespace MockSandbox.Testing;

/// <summary>
/// Body of <c>POST /_mock/sandboxes</c> and <c>PATCH /_mock/sandboxes/{id}</c>: every field optional;
/// what is left out keeps its current (or configured) value.
/// </summary>
internal sealed class MockSandboxRequest
{
    public string? Id { get; init; }

    public bool? Ready { get; init; }

    public long? PartSize { get; init; }

    public int? MaxConcurrency { get; init; }

    public double? SessionTtlSeconds { get; init; }

    public MockLimitsRequest? Limits { get; init; }
}

internal sealed class MockLimitsRequest
{
    public long? MaxUploadBytes { get; init; }

    public long? MaxPartBytes { get; init; }

    public long? SandboxStagingQuotaBytes { get; init; }
}

/// <summary>A sandbox as the mock surface shows it: its settings for new sessions and what it holds now.</summary>
internal sealed record MockSandboxView(
    string Id,
    bool Ready,
    long PartSize,
    int MaxConcurrency,
    double SessionTtlSeconds,
    MockLimitsView Limits,
    MockUsageView Usage);

internal sealed record MockLimitsView(long MaxUploadBytes, long MaxPartBytes, int MaxConcurrency, long SandboxStagingQuotaBytes);

/// <summary>Live figures: reserved staging bytes, sessions holding a reservation, part requests being received.</summary>
internal sealed record MockUsageView(long ReservedStagingBytes, int LiveSessions, int InFlightParts);

internal sealed record MockSweepResult(int Expired);
