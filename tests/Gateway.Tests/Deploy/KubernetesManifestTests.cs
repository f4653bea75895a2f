using System.Text.Json;
using Gateway.Draining;
using Gateway.Tests.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TestSupport;

namespace Gateway.Tests.Deploy;

/// <summary>
/// deploy/kubernetes/ checked offline (no cluster here): every setting the manifests and the image set is one the
/// gateway reads, and the manifests agree with the app (probe paths, port) and with its image (name, user,
/// writable paths, secrets folder, drain time).
/// </summary>
public sealed partial class KubernetesManifestTests
{
    [System.Text.RegularExpressions.GeneratedRegex(@"\$\{[A-Z_]+:-([^}]*)\}")]
    private static partial System.Text.RegularExpressions.Regex Interpolated();

    [ToolFact("yq", "yq")]
    public async Task Every_setting_the_manifests_and_the_image_set_is_bound_by_the_gateway()
    {
        var settings = await SettingsAsync();

        Assert.Empty(GatewaySettings.Unread(settings));
        // The check itself: a misspelt key is caught, at any depth.
        string[] misspelt = ["Gateway:Drain:Dealy", "Gateway:Tenants:acme:Tus:Directori", "ReverseProxy:Clusters:box:Destinations:primary:Adress"];
        var withThem = new Dictionary<string, string>(settings, StringComparer.OrdinalIgnoreCase);
        foreach (var key in misspelt)
        {
            withThem[key] = "x";
        }
        Assert.Equal(misspelt.Order(StringComparer.Ordinal), GatewaySettings.Unread(withThem));
    }

    [ToolFact("yq", "yq")]
    public async Task Every_setting_compose_yaml_gives_the_gateway_is_bound_by_it_too()
    {
        var (exit, output, error) = await ExternalTool.RunAsync("yq", ["-c", ".services.gateway", Path.Combine(SharedSpecs.RepositoryRoot, "deploy", "compose.yaml")]);
        Assert.True(exit == 0, error);
        using var gateway = JsonDocument.Parse(output);
        var settings = Manifests.DockerfileEnvironment().ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => e.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var variable in gateway.RootElement.GetProperty("environment").EnumerateObject())
        {
            // ${NAME:-default} as compose fills it in when NAME is unset.
            settings[variable.Name.Replace("__", ":", StringComparison.Ordinal)] = Interpolated().Replace(variable.Value.GetString()!, m => m.Groups[1].Value);
        }
        foreach (var secret in gateway.RootElement.GetProperty("secrets").EnumerateArray())
        {
            settings[secret.GetProperty("target").GetString()!.Replace("__", ":", StringComparison.Ordinal)] = "from a file";
        }

        Assert.Empty(GatewaySettings.Unread(settings));
    }

    [ToolFact("yq", "yq")]
    public async Task The_probes_ports_and_security_context_match_the_app_and_its_image()
    {
        var resources = await Manifests.ResourcesAsync();
        var pod = Manifests.PodSpec(resources);
        var container = Manifests.Container(resources);
        var port = container.GetProperty("ports").EnumerateArray().Single();
        Assert.Equal(8080, port.GetProperty("containerPort").GetInt32());
        Assert.Equal("8080", Manifests.Instruction("EXPOSE"));
        Assert.EndsWith(":8080", Manifests.DockerfileEnvironment()["URLS"], StringComparison.Ordinal);
        var portName = port.GetProperty("name").GetString();

        foreach (var (probe, path) in new[] { ("startupProbe", ServiceDefaults.Extensions.LivenessPath), ("livenessProbe", ServiceDefaults.Extensions.LivenessPath), ("readinessProbe", ServiceDefaults.Extensions.ReadinessPath) })
        {
            var get = container.GetProperty(probe).GetProperty("httpGet");
            Assert.Equal(path, get.GetProperty("path").GetString());
            Assert.Equal(portName, get.GetProperty("port").GetString());
        }
        Assert.Equal(portName, resources["Service"].GetProperty("spec").GetProperty("ports")[0].GetProperty("targetPort").GetString());
        Assert.Equal(8080, resources["NetworkPolicy"].GetProperty("spec").GetProperty("ingress")[0].GetProperty("ports")[0].GetProperty("port").GetInt32());

        // The image's user, as the Dockerfile names it, and nothing that could become root.
        var user = Manifests.Instruction("USER").Split(':');
        var security = pod.GetProperty("securityContext");
        Assert.True(security.GetProperty("runAsNonRoot").GetBoolean());
        Assert.Equal(user[0], security.GetProperty("runAsUser").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(user[1], security.GetProperty("runAsGroup").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var containerSecurity = container.GetProperty("securityContext");
        Assert.True(containerSecurity.GetProperty("readOnlyRootFilesystem").GetBoolean());
        Assert.False(containerSecurity.GetProperty("allowPrivilegeEscalation").GetBoolean());
        Assert.Equal(["ALL"], containerSecurity.GetProperty("capabilities").GetProperty("drop").EnumerateArray().Select(c => c.GetString()));

        Assert.True(container.GetProperty("resources").GetProperty("requests").TryGetProperty("cpu", out _));
        Assert.True(container.GetProperty("resources").GetProperty("requests").TryGetProperty("memory", out _));
    }

    [ToolFact("yq", "yq")]
    public async Task Every_writable_path_of_the_image_is_a_volume_and_the_tus_staging_is_one_claim_shared_by_all_pods()
    {
        var resources = await Manifests.ResourcesAsync();
        var pod = Manifests.PodSpec(resources);
        var mounts = Manifests.Container(resources).GetProperty("volumeMounts").EnumerateArray()
            .ToDictionary(m => m.GetProperty("mountPath").GetString()!, m => m.GetProperty("name").GetString()!);
        var volumes = pod.GetProperty("volumes").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        var label = Manifests.Instruction("LABEL");
        var writable = label[(label.IndexOf("io.upload-gateway.writable-paths=\"", StringComparison.Ordinal) + 34)..].Split('"')[0].Split(' ');
        Assert.NotEmpty(writable);
        Assert.All(writable, path => Assert.True(mounts.ContainsKey(path), $"the image's writable path {path} has no volume"));

        var environment = Manifests.DockerfileEnvironment();
        // The staging folder is one the gateway makes inside the shared volume (the image's ENV says which).
        var stagingPath = environment["Gateway__Rechunking__StagingDirectory"];
        var stagingMount = Assert.Single(mounts.Keys, path => stagingPath == path || stagingPath.StartsWith(path + "/", StringComparison.Ordinal));
        var staging = volumes[mounts[stagingMount]];
        var claim = resources["PersistentVolumeClaim"];
        Assert.Equal(claim.GetProperty("metadata").GetProperty("name").GetString(), staging.GetProperty("persistentVolumeClaim").GetProperty("claimName").GetString());
        Assert.Contains("ReadWriteMany", claim.GetProperty("spec").GetProperty("accessModes").EnumerateArray().Select(m => m.GetString()));

        // The Secret mounts where the image reads its secret files; the ConfigMap is the environment.
        var secrets = volumes[mounts[environment[ServiceDefaults.Extensions.SecretsDirectoryKey]]];
        Assert.Equal(resources["Secret"].GetProperty("metadata").GetProperty("name").GetString(), secrets.GetProperty("secret").GetProperty("secretName").GetString());
        Assert.False(pod.GetProperty("automountServiceAccountToken").GetBoolean());
        Assert.Equal(resources["ConfigMap"].GetProperty("metadata").GetProperty("name").GetString(),
            Manifests.Container(resources).GetProperty("envFrom")[0].GetProperty("configMapRef").GetProperty("name").GetString());
    }

    [ToolFact("yq", "yq")]
    public async Task The_grace_period_covers_the_prestop_and_the_whole_drain()
    {
        var resources = await Manifests.ResourcesAsync();
        var settings = await SettingsAsync();
        var drain = new ConfigurationBuilder().AddInMemoryCollection(settings!).Build().GetSection(DrainOptions.Section).Get<DrainOptions>()!;
        var preStop = Manifests.Container(resources).GetProperty("lifecycle").GetProperty("preStop").GetProperty("exec").GetProperty("command");
        Assert.Equal("sleep", preStop[0].GetString());
        var preStopSeconds = int.Parse(preStop[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        var grace = TimeSpan.FromSeconds(Manifests.PodSpec(resources).GetProperty("terminationGracePeriodSeconds").GetInt32());

        Assert.True(grace >= TimeSpan.FromSeconds(preStopSeconds) + drain.ShutdownTimeout,
            $"terminationGracePeriodSeconds {grace.TotalSeconds} < preStop {preStopSeconds} s + drain {drain.ShutdownTimeout.TotalSeconds} s");
        // A rollout never takes a ready pod away before its replacement is ready, nor a disruption two at once.
        var rolling = resources["Deployment"].GetProperty("spec").GetProperty("strategy").GetProperty("rollingUpdate");
        Assert.Equal(0, rolling.GetProperty("maxUnavailable").GetInt32());
        Assert.Equal(1, resources["PodDisruptionBudget"].GetProperty("spec").GetProperty("maxUnavailable").GetInt32());
    }

    [ToolFact("yq", "yq")]
    public async Task The_kustomization_lists_every_manifest_and_names_the_image_build_sh_makes()
    {
        var kustomization = await Manifests.YamlAsync("kustomization.yaml");
        var listed = kustomization.GetProperty("resources").EnumerateArray().Select(f => f.GetString()!).Order();
        var files = Directory.GetFiles(Manifests.Folder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order();
        Assert.Equal(files, listed);

        var resources = await Manifests.ResourcesAsync();
        var image = Manifests.Container(resources).GetProperty("image").GetString();
        var named = kustomization.GetProperty("images").EnumerateArray().Single(i => i.GetProperty("name").GetString() == image);
        Assert.Equal("upload-gateway/gateway", named.GetProperty("newName").GetString());
        Assert.Contains("--tag \"upload-gateway/$service:$tag\"", await File.ReadAllTextAsync(Path.Combine(SharedSpecs.RepositoryRoot, "deploy", "images", "build.sh")), StringComparison.Ordinal);

        // Every selector picks the pods the Deployment makes; the HPA scales that Deployment.
        var labels = Manifests.PodLabels(resources)["app.kubernetes.io/name"];
        Assert.Equal(labels, resources["Service"].GetProperty("spec").GetProperty("selector").GetProperty("app.kubernetes.io/name").GetString());
        Assert.Equal(labels, resources["PodDisruptionBudget"].GetProperty("spec").GetProperty("selector").GetProperty("matchLabels").GetProperty("app.kubernetes.io/name").GetString());
        Assert.Equal(labels, resources["NetworkPolicy"].GetProperty("spec").GetProperty("podSelector").GetProperty("matchLabels").GetProperty("app.kubernetes.io/name").GetString());
        Assert.Equal(resources["Deployment"].GetProperty("metadata").GetProperty("name").GetString(),
            resources["HorizontalPodAutoscaler"].GetProperty("spec").GetProperty("scaleTargetRef").GetProperty("name").GetString());
    }

    /// <summary>Every setting a pod gets: the ConfigMap (environment), the Secret (files), the container's env and the image's ENV, keys with ':'.</summary>
    private static async Task<Dictionary<string, string>> SettingsAsync()
    {
        var resources = await Manifests.ResourcesAsync();
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Add(string key, string value) => settings[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        foreach (var (key, value) in Manifests.DockerfileEnvironment())
        {
            Add(key, value);
        }
        foreach (var entry in resources["ConfigMap"].GetProperty("data").EnumerateObject())
        {
            Add(entry.Name, entry.Value.GetString()!);
        }
        foreach (var entry in resources["Secret"].GetProperty("stringData").EnumerateObject())
        {
            Add(entry.Name, entry.Value.GetString()!);
        }
        if (Manifests.Container(resources).TryGetProperty("env", out var env))
        {
            foreach (var variable in env.EnumerateArray())
            {
                Add(variable.GetProperty("name").GetString()!, variable.GetProperty("value").GetString()!);
            }
        }
        return settings;
    }
}
