using System.Diagnostics;
using System.Diagnostics.Metrics;
using static Gateway.Telemetry.GatewayTelemetry;

namespace Gateway.Telemetry;

/// <summary>
/// The gateway's instruments, on its Meter "Gateway". The names follow the OpenTelemetry conventions (dotted,
/// units in UCUM: seconds <c>s</c>, bytes <c>By</c>, counts in braces) and are listed, with their Prometheus
/// names, in observability/README.md; the dashboard and alert rules query them, and a test proves each is emitted.
/// </summary>
/// <remarks>
/// The Meter comes from <see cref="IMeterFactory"/>, so each gateway host has its own: the gauges observe that
/// host's <see cref="HealthGauges"/>, and tests running several gateways in one process can tell them apart.
/// Durations are measured with <see cref="Stopwatch"/>: latency is real time, even where a test freezes the clock.
/// </remarks>
internal sealed class GatewayMetrics
{
    public const string SessionsCreated = "gateway.sessions.created";
    public const string SessionsEnded = "gateway.sessions.ended";
    public const string SessionsActive = "gateway.sessions.active";
    public const string PartsAccepted = "gateway.parts.accepted";
    public const string BytesAccepted = "gateway.bytes.accepted";
    public const string PartsInFlight = "gateway.parts.in_flight";
    public const string PartsSpooled = "gateway.parts.spooled";
    public const string SpoolMemory = "gateway.spool.memory";
    public const string PartDuration = "gateway.part.duration";
    public const string BackendDuration = "gateway.backend.request.duration";
    public const string BackendUp = "gateway.backend.up";
    public const string StoreDuration = "gateway.store.operation.duration";
    public const string StoreUp = "gateway.store.up";
    public const string Errors = "gateway.errors";

    /// <summary>
    /// Latency buckets in seconds: the HTTP semantic conventions' boundaries, stretched to two minutes because a
    /// large part on a slow link takes that long.
    /// </summary>
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 120],
    };

    private readonly Counter<long> _sessionsCreated;
    private readonly Counter<long> _sessionsEnded;
    private readonly Counter<long> _partsAccepted;
    private readonly Counter<long> _bytesAccepted;
    private readonly UpDownCounter<long> _partsInFlight;
    private readonly Counter<long> _partsSpooled;
    private readonly UpDownCounter<long> _spoolMemory;
    private readonly Histogram<double> _partDuration;
    private readonly Histogram<double> _backendDuration;
    private readonly Histogram<double> _storeDuration;
    private readonly Counter<long> _errors;

    private readonly Meter _meter;

    public GatewayMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = _meter = meters.Create(Name);
        _sessionsCreated = meter.CreateCounter<long>(SessionsCreated, "{session}", "Upload sessions created, by backend.");
        _sessionsEnded = meter.CreateCounter<long>(SessionsEnded, "{session}",
            "Upload sessions ended, by backend and final status: completed, aborted, expired or failed.");
        _partsAccepted = meter.CreateCounter<long>(PartsAccepted, "{part}", "Parts the backend acknowledged and the store recorded, each once.");
        _bytesAccepted = meter.CreateCounter<long>(BytesAccepted, "By", "Bytes of the parts counted by gateway.parts.accepted.");
        _partsInFlight = meter.CreateUpDownCounter<long>(PartsInFlight, "{part}", "Parts streaming through this instance now.");
        _partsSpooled = meter.CreateCounter<long>(PartsSpooled, "{part}",
            "Parts read whole before they were forwarded (a Box part sent without its SHA-1, a tus chunk with Upload-Checksum), by where they were held: memory, or disk once the memory budget was spent.");
        _spoolMemory = meter.CreateUpDownCounter<long>(SpoolMemory, "By", "Memory this instance holds now for parts read whole (Gateway:Forwarding:SpoolMemoryBytes caps it).");
        _partDuration = meter.CreateHistogram(PartDuration, "s", "Time to take one part: store, streaming to the backend, store.", null, Seconds);
        _backendDuration = meter.CreateHistogram(BackendDuration, "s",
            "Calls to a backend (create, part, complete, abort); error.type is set when one failed.", null, Seconds);
        _storeDuration = meter.CreateHistogram(StoreDuration, "s", "Session store operations; error.type is set when one failed.", null, Seconds);
        _errors = meter.CreateCounter<long>(Errors, "{error}", "Problem responses sent to clients, by the contract's error code.");
    }

    /// <summary>
    /// The gauges, read from the last health report. The health publisher calls this when it is built rather
    /// than being a constructor dependency: its checks need the session store, and the store needs these metrics.
    /// </summary>
    public void Observe(HealthGauges health)
    {
        ArgumentNullException.ThrowIfNull(health);
        _meter.CreateObservableUpDownCounter(SessionsActive, () => Optional(health.LiveSessions),
            "{session}", "Sessions not yet ended, across every instance (each instance reports the store's count).");
        _meter.CreateObservableGauge(StoreUp, () => Optional(health.StoreUp is { } up ? (up ? 1 : 0) : (int?)null),
            null, "1 when this instance reached the session store at its last health check, else 0.");
        _meter.CreateObservableGauge(BackendUp, () => health.Backends.Select(b =>
                new Measurement<int>(b.Value ? 1 : 0, new KeyValuePair<string, object?>(Tags.Backend, b.Key))),
            null, "1 when this instance reached the backend at its last health check, else 0.");
    }

    /// <summary>No measurement until the first health check has answered: unknown is not zero.</summary>
    private static IEnumerable<Measurement<T>> Optional<T>(T? value) where T : struct =>
        value is { } known ? [new Measurement<T>(known)] : [];

    public PartTelemetry StartPart(string uploadId, int partNumber) => new(this, uploadId, partNumber);

    /// <summary>Counts a new session and names it on the current span, so a trace can be found by <c>upload.id</c>.</summary>
    public void SessionCreated(string uploadId, string backend)
    {
        Activity.Current?.SetTag(Tags.UploadId, uploadId).SetTag(Tags.Backend, backend);
        _sessionsCreated.Add(1, new KeyValuePair<string, object?>(Tags.Backend, backend));
    }

    /// <summary>Counts a session's end (completed, aborted, expired, failed) and tags the current span with it.</summary>
    public void SessionEnded(string uploadId, string backend, string status)
    {
        Activity.Current?.SetTag(Tags.UploadId, uploadId).SetTag(Tags.Status, status);
        _sessionsEnded.Add(1, new(Tags.Backend, backend), new(Tags.Status, status));
    }

    public void PartRecorded(string backend, long bytes)
    {
        var tag = new KeyValuePair<string, object?>(Tags.Backend, backend);
        _partsAccepted.Add(1, tag);
        _bytesAccepted.Add(bytes, tag);
    }

    public void PartStarted(string backend) => _partsInFlight.Add(1, new KeyValuePair<string, object?>(Tags.Backend, backend));

    public void PartStopped(string backend) => _partsInFlight.Add(-1, new KeyValuePair<string, object?>(Tags.Backend, backend));

    /// <summary>A part read whole before it leaves, held in memory or (the budget spent) on disk.</summary>
    public void PartSpooled(bool inMemory) => _partsSpooled.Add(1, new KeyValuePair<string, object?>(Tags.Spool, inMemory ? "memory" : "disk"));

    /// <summary>Memory held for parts read whole: added when a part takes it, subtracted when the part gives it back.</summary>
    public void SpoolMemoryChanged(long bytes) => _spoolMemory.Add(bytes);

    public void PartTook(TimeSpan elapsed, string? backend, string? errorType)
    {
        var tags = new TagList();
        if (backend is not null)
        {
            tags.Add(Tags.Backend, backend);
        }
        AddError(ref tags, errorType);
        _partDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void BackendTook(TimeSpan elapsed, string backend, string operation, string? errorType)
    {
        var tags = new TagList { { Tags.Backend, backend }, { Tags.BackendOperation, operation } };
        AddError(ref tags, errorType);
        _backendDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void StoreTook(TimeSpan elapsed, string system, string operation, string? errorType)
    {
        var tags = new TagList { { Tags.DbSystem, system }, { Tags.DbOperation, operation } };
        AddError(ref tags, errorType);
        _storeDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void ProblemSent(string code, int status) =>
        _errors.Add(1, new(Tags.ErrorType, code), new(Tags.HttpStatus, status));

    /// <summary>Per the semantic conventions, <c>error.type</c> is present only on failures.</summary>
    private static void AddError(ref TagList tags, string? errorType)
    {
        if (errorType is not null)
        {
            tags.Add(Tags.ErrorType, errorType);
        }
    }
}
