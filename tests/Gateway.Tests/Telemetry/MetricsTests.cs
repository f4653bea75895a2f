using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using Gateway.Hosting;
using Gateway.Telemetry;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TestSupport;
using static Gateway.Tests.Support.ContractClient;

namespace Gateway.Tests.Telemetry;

/// <summary>
/// The metrics people will look at: every metric and label that a Grafana panel or a Prometheus alert rule
/// queries is one the gateway really emits, under the name the collector gives it in Prometheus.
/// </summary>
public sealed class MetricsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int PartSize = GatewayHarness.PartSize;

    /// <summary>Labels Prometheus gets from the resource or the histogram, not from an instrument's attributes.</summary>
    private static readonly HashSet<string> ResourceLabels = ["job", "instance", "le"];

    [Theory]
    [InlineData("gateway.part.duration", "s", InstrumentKind.Histogram, "gateway_part_duration_seconds")]
    [InlineData("gateway.bytes.accepted", "By", InstrumentKind.Counter, "gateway_bytes_accepted_total")]
    [InlineData("gateway.parts.accepted", "{part}", InstrumentKind.Counter, "gateway_parts_accepted_total")]
    [InlineData("gateway.parts.in_flight", "{part}", InstrumentKind.Gauge, "gateway_parts_in_flight")]
    [InlineData("gateway.spool.memory", "By", InstrumentKind.Gauge, "gateway_spool_memory_bytes")]
    [InlineData("gateway.backend.up", null, InstrumentKind.Gauge, "gateway_backend_up")]
    [InlineData("http.server.request.duration", "s", InstrumentKind.Histogram, "http_server_request_duration_seconds")]
    [InlineData("kestrel.active_connections", "{connection}", InstrumentKind.Gauge, "kestrel_active_connections")]
    [InlineData("process.cpu.utilization", "1", InstrumentKind.Gauge, "process_cpu_utilization_ratio")]
    public void Prometheus_names_follow_the_collectors_translation_of_OpenTelemetry_names(string name, string? unit, InstrumentKind kind, string expected)
    {
        Assert.Equal(expected, PrometheusNames.Of(name, unit, kind));
    }

    [Fact]
    public void The_query_reader_finds_metrics_and_labels_but_not_functions_keywords_or_variables()
    {
        const string Expr = """
            histogram_quantile(0.95, sum by (le, upload_backend) (rate(gateway_part_duration_seconds_bucket{error_type=""}[$__rate_interval])))
              / clamp_min(sum without (instance) (gateway_x_total{job="gateway", a=~"b|c"} offset 5m), 1e-9) > bool 0.5
            """;

        Assert.Equal(["gateway_part_duration_seconds_bucket", "gateway_x_total"], PromQl.MetricNames(Expr).Order());
        Assert.Equal(["a", "error_type", "instance", "job", "le", "upload_backend"], PromQl.LabelNames(Expr).Order());
    }

    [ToolFact("yq", "yq")]
    public async Task Every_metric_and_label_that_the_dashboard_and_alert_rules_query_is_emitted_by_the_gateway()
    {
        // Webhooks: one endpoint that fails each event once and then takes it, one that never does (dead letters).
        await using var receiver = await Events.WebhookReceiver.StartAsync();
        receiver.Answer = (_, before) => before == 0 ? 500 : 200;
        await using var refusing = await Events.WebhookReceiver.StartAsync();
        refusing.Answer = (_, _) => 500;
        await using var system = await GatewayHarness.StartAsync(redis, gateway: s =>
        {
            Events.WebhookDeliveryTests.Webhooks(s, ("main", receiver.Url), ("refusing", refusing.Url));
            s["Gateway:Webhooks:RetryFor"] = "00:00:01";
        });
        // A second gateway whose Redis is a closed port: it shows what store failures emit.
        var unreachable = new Dictionary<string, string?>(system.GatewaySettings) { ["Gateway:Store:Redis"] = "127.0.0.1:1,abortConnect=false,connectTimeout=500" };
        await using var storeDown = await LoopbackApp.StartAsync(b => b.AddGateway(), a => a.MapGateway(), unreachable);
        var hosts = new[] { system.Gateway, storeDown };
        // The meters service-defaults' instrumentation collects, and the gateway's own.
        string[] meters = [GatewayTelemetry.Name, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "System.Runtime"];
        using var capture = new MetricCapture(hosts.Select(h => h.GetRequiredService<IMeterFactory>()), meters);

        await UploadWithEveryOutcomeAsync(system);
        using (var client = new ContractClient(storeDown.CreateClient(GatewayHarness.AcmeKey)))
        {
            await ExpectProblemAsync(await client.CreateAsync(new { backend = "sandbox", target = new { sandbox_id = GatewayHarness.SandboxId, path = "/workspace/x" }, content_length = 1 }), 503, "store_unavailable");
        }
        await Events.WebhookReceiver.WaitUntilAsync(() => capture.Measured.ContainsKey(WebhookMetrics.DeadLetters) && receiver.Accepted.Count > 0);
        // One run of the health checks, as the framework's publisher runs them every ProbeInterval.
        foreach (var host in hosts)
        {
            var report = await host.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            await host.GetRequiredService<HealthGauges>().PublishAsync(report, default);
        }
        capture.RecordObservableInstruments();

        // Prometheus series name → the instrument behind it, for what was measured.
        var emitted = capture.Instruments.Values
            .Where(i => capture.Measured.ContainsKey(i.Name))
            .SelectMany(i => PrometheusNames.SeriesOf(i).Select(series => (Series: series, Instrument: i)))
            .ToDictionary(e => e.Series, e => e.Instrument);
        var queries = ObservabilityFiles.DashboardQueries().Concat(await ObservabilityFiles.AlertQueriesAsync()).ToList();
        Assert.True(queries.Count >= 15, "the dashboard and the rules should have been read");

        var missing = new List<string>();
        foreach (var (where, expr) in queries)
        {
            var instruments = new List<Instrument>();
            foreach (var metric in PromQl.MetricNames(expr))
            {
                if (emitted.TryGetValue(metric, out var instrument))
                {
                    instruments.Add(instrument);
                }
                else
                {
                    missing.Add($"{where}: metric {metric} is not emitted");
                }
            }
            var labels = instruments.SelectMany(i => capture.Measured[i.Name].Keys).Select(PrometheusNames.LabelOf).ToHashSet();
            missing.AddRange(PromQl.LabelNames(expr)
                .Where(label => !ResourceLabels.Contains(label) && !labels.Contains(label))
                .Select(label => $"{where}: label {label} is on no measurement of {string.Join(", ", instruments.Select(i => i.Name))}"));
        }
        Assert.True(missing.Count == 0, string.Join("\n", missing) + "\nEmitted: " + string.Join(", ", emitted.Keys.Order()));
    }

    [Fact]
    public async Task An_upload_is_counted_once_per_part_and_byte_whatever_the_retries()
    {
        await using var system = await GatewayHarness.StartAsync(redis);
        using var capture = new MetricCapture([system.Gateway.GetRequiredService<IMeterFactory>()], [GatewayTelemetry.Name]);

        await UploadWithEveryOutcomeAsync(system);

        bool Sandbox(IReadOnlyDictionary<string, object?> tags) => Equals(tags.GetValueOrDefault("upload.backend"), "sandbox");
        Assert.Equal(2, capture.Sum(GatewayMetrics.SessionsCreated, Sandbox));
        Assert.Equal(2, capture.Sum(GatewayMetrics.PartsAccepted, Sandbox));
        Assert.Equal(2 * PartSize, capture.Sum(GatewayMetrics.BytesAccepted, Sandbox));
        Assert.Equal(0, capture.Sum(GatewayMetrics.PartsInFlight, Sandbox));
        Assert.Equal(1, capture.Sum(GatewayMetrics.SessionsEnded, t => Sandbox(t) && Equals(t["upload.status"], "completed")));
        Assert.Equal(1, capture.Sum(GatewayMetrics.SessionsEnded, t => Sandbox(t) && Equals(t["upload.status"], "aborted")));
        // The refused part: one failed backend call and one problem response, both with the contract's code.
        Assert.Equal(1, capture.Values.Count(v => v.Instrument == GatewayMetrics.BackendDuration
            && v.Tags.Contains(new("error.type", "backend_unavailable"))));
        Assert.Equal(1, capture.Sum(GatewayMetrics.Errors, t => Equals(t["error.type"], "backend_unavailable")));
        Assert.Equal(1, capture.Sum(GatewayMetrics.Errors, t => Equals(t["error.type"], "not_found")));
        // The Box part was held in memory, and gave it back.
        Assert.Equal(1, capture.Sum(GatewayMetrics.PartsSpooled, t => Equals(t["upload.spool"], "memory")));
        Assert.Equal(0, capture.Sum(GatewayMetrics.SpoolMemory));
    }

    /// <summary>
    /// On the sandbox: a session of two parts whose first attempt the backend refuses (503) and whose retries
    /// and duplicate count once, completed; a second session aborted; and a request for an unknown upload. On Box:
    /// a part sent without its SHA-1, left in its session.
    /// </summary>
    private static async Task UploadWithEveryOutcomeAsync(GatewayHarness system)
    {
        using var client = new ContractClient(system.Client());
        var file = TestData.Bytes(2 * PartSize, seed: 71);
        var id = (await client.CreateSandboxFileAsync(file.Length, "/workspace/measured.bin")).GetProperty("upload_id").GetString()!;
        using (var mock = system.Sandbox.CreateClient())
        {
            (await mock.PostAsJsonAsync("/_mock/faults", new { kind = "error", method = "PUT", status = 503, count = 1 })).EnsureSuccessStatusCode();
        }
        await ExpectProblemAsync(await client.PutPartAsync(id, 1, Slice(file, 1, PartSize)), 503, "backend_unavailable");
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await client.PutPartOkAsync(id, 1, file, PartSize);
        await client.PutPartOkAsync(id, 2, file, PartSize);
        await ExpectAsync(await client.CompleteAsync(id), System.Net.HttpStatusCode.OK);

        // A Box part sent without its SHA-1: held whole before it leaves, so the spool's metrics move.
        var held = (await client.CreateBoxFileAsync(PartSize, "held.bin")).GetProperty("upload_id").GetString()!;
        await client.PutPartOkAsync(held, 1, TestData.Bytes(PartSize, seed: 72), PartSize);

        var abandoned = (await client.CreateSandboxFileAsync(PartSize, "/workspace/abandoned.bin")).GetProperty("upload_id").GetString()!;
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await client.AbortAsync(abandoned)).StatusCode);
        await ExpectProblemAsync(await client.Http.GetAsync("/v1/uploads/up_nosuchupload"), 404, "not_found");
    }
}
