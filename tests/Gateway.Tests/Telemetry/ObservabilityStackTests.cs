using System.Text.Json;

namespace Gateway.Tests.Telemetry;

/// <summary>
/// observability/ cannot be started here (no Docker engine), so everything about it that can be checked without
/// one is: Prometheus's own tool on the config, the alert rules and every dashboard query, and the wiring between
/// the compose file, the collector, Prometheus and Grafana.
/// </summary>
public sealed class ObservabilityStackTests
{
    [ToolFact("promtool", "prometheus")]
    public async Task The_prometheus_config_passes_promtool_check_config()
    {
        var (exit, output, error) = await ExternalTool.RunAsync("promtool", ["check", "config", ObservabilityFiles.PathOf("prometheus/prometheus.yml")]);

        Assert.True(exit == 0, output + error);
    }

    [ToolFact("promtool", "prometheus")]
    public async Task The_alert_rules_pass_promtool_check_rules()
    {
        var (exit, output, error) = await ExternalTool.RunAsync("promtool", ["check", "rules", ObservabilityFiles.PathOf("prometheus/rules.yml")]);

        Assert.True(exit == 0, output + error);
        Assert.Contains("6 rules found", output + error);
    }

    [ToolFact("promtool", "prometheus")]
    public async Task Each_alert_fires_when_it_should_and_only_then_in_promtools_rule_tests()
    {
        var (exit, output, error) = await ExternalTool.RunAsync("promtool", ["test", "rules", "rules.test.yml"], ObservabilityFiles.PathOf("prometheus"));

        Assert.True(exit == 0, output + error);
        Assert.Contains("SUCCESS", output + error);
    }

    [ToolFact("promtool", "prometheus")]
    public async Task Every_dashboard_query_is_valid_PromQL()
    {
        // promtool checks expressions of rule files: each panel query becomes a recording rule of a scratch file.
        // Grafana's $__rate_interval is a range Prometheus never sees; any duration stands in for it.
        var queries = ObservabilityFiles.DashboardQueries();
        var rules = queries.Select((q, i) => new Dictionary<string, string>
        {
            ["record"] = $"dashboard:query_{i}",
            ["expr"] = q.Expr.Replace("$__rate_interval", "1m", StringComparison.Ordinal),
        });
        var file = Path.Combine(Path.GetTempPath(), $"dashboard-queries-{Guid.NewGuid():N}.yml");
        // JSON is YAML, so the scratch rule file needs no YAML writer.
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { groups = new[] { new { name = "dashboard", rules } } }));
        try
        {
            var (exit, output, error) = await ExternalTool.RunAsync("promtool", ["check", "rules", file]);

            Assert.True(exit == 0, output + error);
            Assert.Contains($"{queries.Count} rules found", output + error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [ToolFact("yq", "yq")]
    public async Task The_compose_file_runs_the_collector_jaeger_prometheus_and_grafana_from_files_that_exist()
    {
        using var compose = await ObservabilityFiles.YamlAsync("docker-compose.yml");
        var services = compose.RootElement.GetProperty("services");

        Assert.Equal(["grafana", "jaeger", "otel-collector", "prometheus"], services.EnumerateObject().Select(s => s.Name).Order());
        foreach (var service in services.EnumerateObject())
        {
            Assert.Contains(":", service.Value.GetProperty("image").GetString());
            if (service.Value.TryGetProperty("volumes", out var volumes))
            {
                foreach (var volume in volumes.EnumerateArray().Select(v => v.GetString()!))
                {
                    var source = volume.Split(':')[0];
                    Assert.True(File.Exists(ObservabilityFiles.PathOf(source)) || Directory.Exists(ObservabilityFiles.PathOf(source)),
                        $"{service.Name} mounts {source}, which is not in observability/");
                }
            }
        }
        // The services on the host reach the collector on the OTLP ports.
        var collectorPorts = services.GetProperty("otel-collector").GetProperty("ports").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.Contains("4317:4317", collectorPorts);
        Assert.Contains("4318:4318", collectorPorts);
    }

    [ToolFact("yq", "yq")]
    public async Task The_collector_sends_traces_to_jaeger_and_serves_the_metrics_prometheus_scrapes()
    {
        using var collector = await ObservabilityFiles.YamlAsync("otel-collector/config.yaml");
        using var prometheus = await ObservabilityFiles.YamlAsync("prometheus/prometheus.yml");
        using var compose = await ObservabilityFiles.YamlAsync("docker-compose.yml");
        var config = collector.RootElement;
        var pipelines = config.GetProperty("service").GetProperty("pipelines");

        // Every component a pipeline names is defined.
        foreach (var pipeline in pipelines.EnumerateObject())
        {
            foreach (var kind in new[] { "receivers", "processors", "exporters" })
            {
                foreach (var component in pipeline.Value.GetProperty(kind).EnumerateArray().Select(c => c.GetString()!))
                {
                    Assert.True(config.GetProperty(kind).TryGetProperty(component, out _), $"pipeline {pipeline.Name} uses undefined {kind} {component}");
                }
            }
        }
        Assert.Equal(["traces", "metrics", "logs"], pipelines.EnumerateObject().Select(p => p.Name));
        Assert.Equal("otlp/jaeger", pipelines.GetProperty("traces").GetProperty("exporters")[0].GetString());
        Assert.Equal("prometheus", pipelines.GetProperty("metrics").GetProperty("exporters")[0].GetString());

        // Traces go to a service of the compose file; Prometheus scrapes the port the collector's exporter serves,
        // keeping the job and instance labels the exporter sets per service.
        var jaeger = config.GetProperty("exporters").GetProperty("otlp/jaeger").GetProperty("endpoint").GetString()!;
        Assert.True(compose.RootElement.GetProperty("services").TryGetProperty(jaeger.Split(':')[0], out _), jaeger);
        var exporterPort = config.GetProperty("exporters").GetProperty("prometheus").GetProperty("endpoint").GetString()!.Split(':')[^1];
        var scrape = prometheus.RootElement.GetProperty("scrape_configs")[0];
        Assert.True(scrape.GetProperty("honor_labels").GetBoolean());
        Assert.Equal("otel-collector:" + exporterPort, scrape.GetProperty("static_configs")[0].GetProperty("targets")[0].GetString());
    }

    [ToolFact("yq", "yq")]
    public async Task Grafana_provisions_the_data_sources_and_the_dashboard_the_panels_use()
    {
        using var datasources = await ObservabilityFiles.YamlAsync("grafana/provisioning/datasources/datasources.yml");
        using var providers = await ObservabilityFiles.YamlAsync("grafana/provisioning/dashboards/dashboards.yml");
        using var compose = await ObservabilityFiles.YamlAsync("docker-compose.yml");
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(ObservabilityFiles.DashboardPath));

        var uids = datasources.RootElement.GetProperty("datasources").EnumerateArray().Select(d => d.GetProperty("uid").GetString()).ToHashSet();
        var used = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("datasource", out _))
            .Select(p => p.GetProperty("datasource").GetProperty("uid").GetString());
        Assert.All(used, uid => Assert.Contains(uid, uids));

        var grafana = compose.RootElement.GetProperty("services").GetProperty("grafana");
        var mounted = grafana.GetProperty("volumes").EnumerateArray().Select(v => v.GetString()!.Split(':')[1]).ToList();
        var path = providers.RootElement.GetProperty("providers")[0].GetProperty("options").GetProperty("path").GetString();
        Assert.Contains(path, mounted);
        Assert.Equal(path + "/upload-gateway.json", grafana.GetProperty("environment").GetProperty("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").GetString());
        Assert.Equal("upload-gateway", dashboard.RootElement.GetProperty("uid").GetString());
    }
}
