using System.Globalization;
using Gateway.Tests.Telemetry;
using TestSupport;

namespace Gateway.Tests.Deploy;

/// <summary>
/// deploy/compose.yaml brought up by Debian's docker-compose under a project name of its own, every container,
/// network and volume labelled <c>io.upload-gateway.stack=gateway-deploy-tests</c>; <see cref="DisposeAsync"/>
/// takes it down with its volumes.
/// </summary>
internal sealed class ComposeStack : IAsyncDisposable
{
    public const string Label = "io.upload-gateway.stack=gateway-deploy-tests";

    /// <summary>The key of the compose file's tenant "dev" (its SHA-256 is in compose.yaml).</summary>
    public const string DevKey = "dev-gateway-key";

    private static readonly string ComposeFile = Path.Combine(SharedSpecs.RepositoryRoot, "deploy", "compose.yaml");

    private readonly Dictionary<string, string> _environment;
    private bool _down;

    private ComposeStack(string project, int port, Dictionary<string, string> environment)
    {
        Project = project;
        Url = new Uri($"http://127.0.0.1:{port}/");
        _environment = environment;
    }

    public string Project { get; }

    /// <summary>The load balancer, the stack's one published port.</summary>
    public Uri Url { get; }

    public static async Task<ComposeStack> UpAsync(int replicas, IReadOnlyDictionary<string, string> settings)
    {
        var project = "gwdeploy" + Guid.NewGuid().ToString("N")[..8];
        var port = RedisServer.FreePort();
        var environment = new Dictionary<string, string>(settings)
        {
            ["COMPOSE_PROJECT_NAME"] = project,
            ["STACK_LABEL"] = "gateway-deploy-tests",
            ["GATEWAY_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["REDIS_IMAGE"] = ComposeFactAttribute.RedisImage,
            ["HAPROXY_IMAGE"] = ComposeFactAttribute.HaproxyImage,
        };
        var stack = new ComposeStack(project, port, environment);
        try
        {
            await stack.ComposeAsync(TimeSpan.FromMinutes(3), "up", "-d", "--scale", $"gateway={replicas}");
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    public async Task<IReadOnlyList<string>> ContainersAsync(string service) =>
        (await ComposeAsync(TimeSpan.FromMinutes(1), "ps", "-q", service)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public Task<string> LogsAsync(string container) => DockerAsync(TimeSpan.FromMinutes(1), "logs", container);

    public Task<string> DockerAsync(TimeSpan timeout, params string[] arguments) => RunAsync("docker", timeout, arguments);

    public Task<string> ComposeAsync(TimeSpan timeout, params string[] arguments) =>
        RunAsync("docker-compose", timeout, ["-f", ComposeFile, "--profile", "cluster", .. arguments]);

    /// <summary>What docker-compose leaves of this project after <c>down -v</c>: containers, networks and volumes by label.</summary>
    public async Task<string> LeftoversAsync()
    {
        var project = $"label=com.docker.compose.project={Project}";
        var containers = await DockerAsync(TimeSpan.FromMinutes(1), "ps", "-aq", "--filter", project);
        var networks = await DockerAsync(TimeSpan.FromMinutes(1), "network", "ls", "-q", "--filter", project);
        var volumes = await DockerAsync(TimeSpan.FromMinutes(1), "volume", "ls", "-q", "--filter", project);
        return string.Join(" ", new[] { containers, networks, volumes }.Select(s => s.Trim()).Where(s => s.Length > 0));
    }

    public async Task DownAsync()
    {
        _down = true;
        await ComposeAsync(TimeSpan.FromMinutes(3), "down", "-v", "--remove-orphans", "--timeout", "60");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_down)
        {
            try
            {
                await DownAsync();
            }
            catch (Exception)
            {
                // What down could not remove, the label finds (and .ci/run's cleanup removes).
                var left = (await DockerAsync(TimeSpan.FromMinutes(1), "ps", "-aq", "--filter", $"label=com.docker.compose.project={Project}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (left.Length > 0)
                {
                    await DockerAsync(TimeSpan.FromMinutes(1), ["rm", "-f", "-v", .. left]);
                }
            }
        }
    }

    private async Task<string> RunAsync(string tool, TimeSpan timeout, string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo(ExternalTool.Require(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = SharedSpecs.RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish in {timeout}.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}");
        }
        // docker logs writes the container's stderr to its own: both are the log.
        return await output + await error;
    }
}

/// <summary>
/// A fact that needs docker-compose, an answering Docker engine and the images deploy/images/build.sh builds (and the
/// tests' Redis image); skipped with the reason shown where any is missing (.ci/run provides them all).
/// </summary>
public sealed class ComposeFactAttribute : FactAttribute
{
    public static string RedisImage => Environment.GetEnvironmentVariable("TEST_REDIS_IMAGE") ?? "gateway-tests/redis:local";

    public const string HaproxyImage = "upload-gateway/haproxy:local";

    public ComposeFactAttribute()
    {
        Skip = Missing();
    }

    private static string? Missing()
    {
        if (ExternalTool.Find("docker-compose") is null)
        {
            return "docker-compose is not installed: apt-get install -y docker-compose (.ci/run does).";
        }
        if (ExternalTool.Find("docker") is null || Run("info") != 0)
        {
            return "no Docker engine answers (.ci/run starts one).";
        }
        var images = new[] { "upload-gateway/gateway:local", "upload-gateway/mock-sandbox:local", "upload-gateway/mock-box:local", HaproxyImage, RedisImage };
        var missing = images.Where(image => Run("image", "inspect", image) != 0).ToList();
        return missing.Count > 0
            ? $"missing images {string.Join(", ", missing)}: run deploy/images/build.sh and tests/redis-image/build.sh (.ci/run does)."
            : null;
    }

    private static int Run(params string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = System.Diagnostics.Process.Start(info)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode;
    }
}
