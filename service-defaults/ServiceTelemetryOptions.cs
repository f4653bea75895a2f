using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ServiceDefaults;

/// <summary>
/// What a service adds to the shared telemetry set-up: its own sources and meters, and hooks for tests (an
/// in-process exporter or processor) and for later concerns.
/// </summary>
public sealed class ServiceTelemetryOptions
{
    public List<string> ActivitySources { get; } = [];

    public List<string> Meters { get; } = [];

    public List<Action<TracerProviderBuilder>> ConfigureTracing { get; } = [];

    public List<Action<MeterProviderBuilder>> ConfigureMetrics { get; } = [];

    /// <summary>E.g. a test's <c>options.AddProcessor(...)</c> that captures log records with their trace ids.</summary>
    public List<Action<OpenTelemetryLoggerOptions>> ConfigureLogging { get; } = [];
}
