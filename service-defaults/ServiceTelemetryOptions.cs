using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ServiceDefaults;

/// <summary>
/// What a service adds to the shared telemetry set-up: its own sources and meters, and hooks for
/// tests (an in-process exporter) and for later concerns.
/// </summary>
public sealed class ServiceTelemetryOptions
{
    public List<string> ActivitySources { get; } = [];

    public List<string> Meters { get; } = [];

    public List<Action<TracerProviderBuilder>> ConfigureTracing { get; } = [];

    public List<Action<MeterProviderBuilder>> ConfigureMetrics { get; } = [];
}
