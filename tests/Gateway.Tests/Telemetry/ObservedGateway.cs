using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Gateway.Hosting;
using Gateway.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;
using TestSupport;

namespace Gateway.Tests.Telemetry;

/// <summary>
/// The harness's mocks with one more gateway in front of them whose OpenTelemetry set-up (service-defaults)
/// carries in-process exporters: every span its tracer provider records and every log record it writes. Spans
/// of the whole process pass through that provider (ActivitySources are process-wide), so tests select theirs
/// by trace id.
/// </summary>
public sealed class ObservedGateway : IAsyncDisposable
{
    private ObservedGateway(GatewayHarness system, LoopbackApp gateway, InProcessExporter spans, LogCapture logs)
    {
        System = system;
        Gateway = gateway;
        SpanExporter = spans;
        Logs = logs;
    }

    public GatewayHarness System { get; }

    public LoopbackApp Gateway { get; }

    internal InProcessExporter SpanExporter { get; }

    internal LogCapture Logs { get; }

    public static async Task<ObservedGateway> StartAsync(RedisServer? redis = null, Action<Dictionary<string, string?>>? gateway = null)
    {
        var system = await GatewayHarness.StartAsync(redis, gateway: gateway);
        var spans = new InProcessExporter();
        var logs = new LogCapture();
        try
        {
            var app = await LoopbackApp.StartAsync(
                builder =>
                {
                    builder.AddGateway();
                    builder.Logging.SetMinimumLevel(LogLevel.Information);
                    builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(spans)));
                    builder.Services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddProcessor(logs));
                },
                app => app.MapGateway(),
                system.GatewaySettings);
            return new ObservedGateway(system, app, spans, logs);
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    public HttpClient Client(string apiKey = GatewayHarness.AcmeKey) => Gateway.CreateClient(apiKey);

    /// <summary>The spans of one trace, once <paramref name="complete"/> holds for them (spans end on other threads than the test's).</summary>
    internal async Task<IReadOnlyList<Activity>> TraceAsync(ActivityTraceId traceId, Func<IReadOnlyList<Activity>, bool> complete)
    {
        IReadOnlyList<Activity> spans = [];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            spans = [.. SpanExporter.Exported.Where(a => a.TraceId == traceId)];
            if (complete(spans))
            {
                return spans;
            }
            await Task.Delay(50);
        }
        Assert.Fail("The trace never completed. Spans seen:\n" + Describe(spans));
        return spans;
    }

    /// <summary>One line per span, for failure messages: source, kind, name, ids and tags.</summary>
    internal static string Describe(IEnumerable<Activity> spans)
    {
        var text = new StringBuilder();
        foreach (var a in spans.OrderBy(a => a.StartTimeUtc))
        {
            text.Append(a.Source.Name).Append(' ').Append(a.Kind).Append(" '").Append(a.DisplayName).Append("' ")
                .Append(a.SpanId).Append(" <- ").Append(a.ParentSpanId).Append(' ')
                .AppendJoin(", ", a.TagObjects.Select(t => $"{t.Key}={t.Value}")).AppendLine();
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await System.DisposeAsync();
    }
}

/// <summary>An in-process exporter: what the OTLP exporter would send, kept in memory.</summary>
internal sealed class InProcessExporter : BaseExporter<Activity>
{
    public ConcurrentQueue<Activity> Exported { get; } = new();

    public override ExportResult Export(in Batch<Activity> batch)
    {
        foreach (var activity in batch)
        {
            Exported.Enqueue(activity);
        }
        return ExportResult.Success;
    }
}

/// <summary>Log records as the OpenTelemetry pipeline sees them. The SDK reuses LogRecord objects, so each is copied.</summary>
internal sealed class LogCapture : BaseProcessor<LogRecord>
{
    public ConcurrentQueue<CapturedLog> Records { get; } = new();

    public override void OnEnd(LogRecord data) =>
        Records.Enqueue(new CapturedLog(data.CategoryName, data.EventId, data.LogLevel, data.FormattedMessage ?? "", data.TraceId, data.SpanId));
}

internal sealed record CapturedLog(string? Category, EventId EventId, LogLevel Level, string Message, ActivityTraceId TraceId, ActivitySpanId SpanId);

/// <summary>
/// Every instrument some gateway hosts publish, and the values and tags of the measurements they record, through a
/// <see cref="MeterListener"/>. A host's own meters (its Meter "Gateway", ASP.NET Core's and Kestrel's) come
/// from its <see cref="IMeterFactory"/> and are told apart from other hosts' by their scope; HttpClient's and the
/// runtime's meters are process-wide.
/// </summary>
internal sealed class MetricCapture : IDisposable
{
    private readonly MeterListener _listener = new();

    public MetricCapture(IEnumerable<IMeterFactory> hosts, IEnumerable<string> meterNames)
    {
        var names = meterNames.ToHashSet(StringComparer.Ordinal);
        var scopes = hosts.ToList();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (names.Contains(instrument.Meter.Name) && (instrument.Meter.Scope is null || scopes.Any(s => ReferenceEquals(s, instrument.Meter.Scope))))
            {
                Instruments[instrument.Name] = instrument;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        _listener.Start();
    }

    public ConcurrentDictionary<string, Instrument> Instruments { get; } = new(StringComparer.Ordinal);

    /// <summary>Instrument name → the tag names seen on its measurements.</summary>
    public ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> Measured { get; } = new(StringComparer.Ordinal);

    /// <summary>Values measured, per instrument, with their tags (for assertions on what was counted).</summary>
    public ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> Values { get; } = new();

    public void RecordObservableInstruments() => _listener.RecordObservableInstruments();

    public double Sum(string instrument, Func<IReadOnlyDictionary<string, object?>, bool>? where = null) =>
        Values.Where(v => v.Instrument == instrument && (where is null || where(v.Tags.ToDictionary(t => t.Key, t => t.Value))))
            .Sum(v => v.Value);

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var seen = Measured.GetOrAdd(instrument.Name, _ => new(StringComparer.Ordinal));
        foreach (var tag in tags)
        {
            seen.TryAdd(tag.Key, 0);
        }
        Values.Enqueue((instrument.Name, value, tags.ToArray()));
    }

    public void Dispose() => _listener.Dispose();
}
