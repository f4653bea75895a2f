using System.Diagnostics;
using static Gateway.Telemetry.GatewayTelemetry;

namespace Gateway.Telemetry;

/// <summary>
/// One part's way through the gateway (docs/architecture.md, the path of one part), observed: the span
/// <c>upload part</c> (parent of the two store calls and of YARP's forwarding, whose HttpClient sends
/// <c>traceparent</c> to the backend), <c>gateway.parts.in_flight</c> while it streams,
/// <c>gateway.backend.request.duration</c> for the forwarding, <c>gateway.part.duration</c> for the whole, and
/// <c>gateway.parts.accepted</c> / <c>gateway.bytes.accepted</c> once the store counted it.
/// </summary>
/// <remarks>PartForwarder marks the steps; this class keeps the bookkeeping out of its way.</remarks>
internal sealed class PartTelemetry : IDisposable
{
    private readonly GatewayMetrics _metrics;
    private readonly Activity? _activity;
    private readonly long _started = Stopwatch.GetTimestamp();
    private string? _backend;
    private long _forwardingSince;
    private string? _errorType = "unfinished";

    public PartTelemetry(GatewayMetrics metrics, string uploadId, int partNumber)
    {
        _metrics = metrics;
        _activity = Start("upload part", ActivityKind.Internal, uploadId);
        _activity?.SetTag(Tags.PartNumber, partNumber);
    }

    /// <summary>The store gave the part a lease: it is in flight to <paramref name="backend"/>.</summary>
    public void Began(string backend, string backendType, long bytes)
    {
        _backend = backend;
        _activity?.SetTag(Tags.Backend, backend);
        _activity?.SetTag(Tags.BackendType, backendType);
        _activity?.SetTag(Tags.PartBytes, bytes);
        _metrics.PartStarted(backend);
    }

    /// <summary>The body starts streaming to the backend.</summary>
    public void Forwarding() => _forwardingSince = Stopwatch.GetTimestamp();

    /// <summary>The backend acknowledged the part.</summary>
    public void Forwarded(int status)
    {
        _activity?.SetTag(Tags.HttpStatus, status);
        RecordForwarding(null);
    }

    /// <summary>The store counted the part (not a retry of one already counted).</summary>
    public void Recorded(long bytes)
    {
        if (_backend is not null)
        {
            _metrics.PartRecorded(_backend, bytes);
        }
    }

    public T Succeeded<T>(T result)
    {
        _errorType = null;
        Succeed(_activity);
        return result;
    }

    public void Failed(Exception exception)
    {
        _errorType = ErrorTypeOf(exception);
        if (_forwardingSince != 0)
        {
            RecordForwarding(_errorType);
        }
        GatewayTelemetry.Fail(_activity, _errorType);
    }

    public void Dispose()
    {
        if (_backend is not null)
        {
            _metrics.PartStopped(_backend);
        }
        _metrics.PartTook(Stopwatch.GetElapsedTime(_started), _backend, _errorType);
        _activity?.Dispose();
    }

    private void RecordForwarding(string? errorType)
    {
        _metrics.BackendTook(Stopwatch.GetElapsedTime(_forwardingSince), _backend ?? "", "part", errorType);
        _forwardingSince = 0;
    }
}
