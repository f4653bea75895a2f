using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Bench.Services;

/// <summary>
/// Everything a run needs, as real processes on loopback: a throwaway <c>redis-server</c>, the mocks the chosen
/// backends need, and a gateway in front of them using that Redis, each from its Release build. Disposing stops
/// them all.
/// </summary>
internal sealed class ServiceStack : IAsyncDisposable
{
    public const string GatewayKey = "bench-gateway-key-0123456789";
    public const string SandboxKey = "bench-sandbox-key-0123456789";
    public const string BoxToken = "bench-box-token-0123456789";
    public const string SandboxId = "sb_bench0001";

    private readonly List<ChildProcess> _children = [];

    public ChildProcess? Redis { get; private set; }

    /// <summary>Every redis-server: the one, or the three masters of <c>--scale-cluster</c>.</summary>
    public List<ChildProcess> RedisNodes { get; } = [];

    public ChildProcess? Sandbox { get; private set; }

    public ChildProcess? Box { get; private set; }

    /// <summary>The Ceph RGW of <c>--backends s3</c> (<see cref="CephRgwStore"/>).</summary>
    public ChildProcess? Rgw { get; private set; }

    public ChildProcess Gateway { get; private set; } = null!;

    /// <summary>@tus/server with its file store, for the <c>tus-peer</c> path.</summary>
    public ChildProcess? TusPeer { get; private set; }

    /// <summary>Every instance of this repository's gateway: one, or two on the same Redis for the scale scenario.</summary>
    public List<ChildProcess> Gateways { get; } = [];

    /// <summary>The gateway built from <c>--compare-repo</c>, on the same Redis under its own key prefix.</summary>
    public ChildProcess? GatewayBefore { get; private set; }

    /// <summary>The process of that name (a gateway, a proxy), for sampling.</summary>
    public ChildProcess? Process(string? name) => name is null ? null : _children.FirstOrDefault(c => c.Name == name);

    /// <summary>The plain proxies' front ends: one per (proxy path, backend), each passing the mock's API through.</summary>
    private readonly Dictionary<(UploadPathKind Path, string Backend), Uri> _proxyFronts = [];

    /// <summary>Where each side runs with <c>--pin</c>: the gateway's core, and the client's and mocks' cores (null: anywhere).</summary>
    public string? GatewayCpus { get; private set; }

    public string? ClientCpus { get; private set; }

    public IEnumerable<ChildProcess> All => _children;

    public static async Task<ServiceStack> StartAsync(BenchOptions options, string repository, string workDirectory, CancellationToken cancellationToken)
    {
        var stack = new ServiceStack();
        try
        {
            await stack.StartAllAsync(options, repository, workDirectory, cancellationToken);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync(BenchOptions options, string repository, string work, CancellationToken cancellationToken)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        string Dll(string project, string assembly, string? root = null) => Path.Combine(root ?? repository, project, "bin", configuration, "net10.0", assembly + ".dll");
        string Directory(string name) => System.IO.Directory.CreateDirectory(Path.Combine(work, name)).FullName;
        if (options.Pin)
        {
            var cores = Environment.ProcessorCount;
            if (cores < 2)
            {
                throw new BenchException("--pin needs at least two cores.");
            }
            GatewayCpus = (cores - 1).ToString(CultureInfo.InvariantCulture);
            ClientCpus = cores == 2 ? "0" : $"0-{cores - 2}";
            PinSelf(ClientCpus);
        }
        var maxConcurrency = options.MaxConcurrency.ToString(CultureInfo.InvariantCulture);
        // Where nothing behind the gateway sets a lower limit: at least the gateway's default (8), as a tenant and a backend
        // that set none have. The client keeps c parts in flight itself; a front that re-chunks (tus to Box) may have
        // two of a request's parts in flight.
        var gatewayConcurrency = Math.Max(options.MaxConcurrency, 8).ToString(CultureInfo.InvariantCulture);
        var partSize = options.PartSize.ToString(CultureInfo.InvariantCulture);
        var maxUpload = Math.Max(5L << 30, options.FileSize).ToString(CultureInfo.InvariantCulture);

        string store;
        if (options.ScaleCluster)
        {
            RedisNodes.AddRange(await RedisClusterNodes.StartAsync(Find("redis-server", "redis-server"), Find("redis-cli", "redis-server"), work, GatewayCpus, cancellationToken));
            _children.AddRange(RedisNodes);
            Redis = RedisNodes[0];
            store = string.Join(',', RedisNodes.Select(n => $"127.0.0.1:{n.BaseAddress!.Port}"));
        }
        else
        {
            Redis = Add(await ChildProcess.StartRedisAsync(Find("redis-server", "redis-server"), FreePort(), Directory("redis"), GatewayCpus, cancellationToken));
            RedisNodes.Add(Redis);
            store = $"127.0.0.1:{Redis.BaseAddress!.Port}";
        }

        var gateway = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Gateway__Store__Redis"] = store,
            ["Gateway__Store__KeyPrefix"] = "bench",
            ["Gateway__Forwarding__SpoolDirectory"] = Directory("gateway-spool"),
            ["Gateway__Rechunking__StagingDirectory"] = Directory("gateway-tus"),
            ["Gateway__Tenants__bench__ApiKeyHashes__0"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(GatewayKey))),
            ["Gateway__Tenants__bench__Limits__MaxConcurrency"] = gatewayConcurrency,
            ["Gateway__Tenants__bench__Limits__MaxPartBytes"] = Math.Max(64L << 20, options.PartSize * 4).ToString(CultureInfo.InvariantCulture),
            ["Gateway__Tenants__bench__Limits__MaxUploadBytes"] = maxUpload,
            // The benchmark measures the data path, not the rate limiter.
            ["Gateway__Tenants__bench__Limits__RequestsPerSecond"] = "100000",
            ["Gateway__Tenants__bench__Limits__RequestBurst"] = "100000",
            // The scale scenario holds 10,000 sessions live at once, past any default cap on a tenant's live sessions.
            ["Gateway__Tenants__bench__Limits__MaxLiveSessions"] = "1000000",
        };

        var index = 0;
        if (options.Backends.Contains("sandbox"))
        {
            Sandbox = Add(await ChildProcess.StartDotnetAsync("mock-sandbox", Dll("mock-sandbox", "MockSandbox"), new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["MockSandbox__ApiKeys__0"] = SandboxKey,
                ["MockSandbox__Sandboxes__0"] = SandboxId,
                ["MockSandbox__DataDirectory"] = Directory("mock-sandbox"),
                ["MockSandbox__PartSize"] = partSize,
                ["MockSandbox__MaxConcurrency"] = maxConcurrency,
                ["MockSandbox__Limits__MaxUploadBytes"] = maxUpload,
                ["MockSandbox__Limits__SandboxStagingQuotaBytes"] = (4 * Math.Max(5L << 30, options.FileSize)).ToString(CultureInfo.InvariantCulture),
            }, ClientCpus, cancellationToken));
            gateway["Gateway__Backends__sandbox__Type"] = "sandbox";
            gateway["Gateway__Backends__sandbox__Cluster"] = "sandbox";
            gateway["Gateway__Backends__sandbox__Credential"] = SandboxKey;
            gateway["Gateway__Backends__sandbox__MaxConcurrency"] = maxConcurrency;
            gateway["ReverseProxy__Clusters__sandbox__Destinations__one__Address"] = Sandbox.BaseAddress.ToString();
            gateway[$"Gateway__Tenants__bench__Backends__{index++}"] = "sandbox";
        }
        if (options.Backends.Contains("box"))
        {
            Box = Add(await ChildProcess.StartDotnetAsync("mock-box", Dll("mock-box", "MockBox"), new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["MockBox__AccessTokens__0"] = BoxToken,
                ["MockBox__DataDirectory"] = Directory("mock-box"),
                ["MockBox__PartSize"] = partSize,
                ["MockBox__MinFileSize"] = "0",
            }, ClientCpus, cancellationToken));
            gateway["Gateway__Backends__box__Type"] = "box";
            gateway["Gateway__Backends__box__Cluster"] = "box";
            gateway["Gateway__Backends__box__Credential"] = BoxToken;
            gateway["Gateway__Backends__box__MaxConcurrency"] = gatewayConcurrency;
            gateway["Gateway__Backends__box__MinUploadBytes"] = "0";
            gateway["ReverseProxy__Clusters__box__Destinations__one__Address"] = Box.BaseAddress.ToString();
            gateway[$"Gateway__Tenants__bench__Backends__{index++}"] = "box";
        }
        if (options.Backends.Contains("s3"))
        {
            Rgw = Add(await CephRgwStore.StartAsync(repository, work, FreePort(), options.FileSize, ClientCpus, cancellationToken));
            foreach (var (key, value) in CephRgwStore.GatewaySettings(Rgw.BaseAddress, options.PartSize, maxConcurrency))
            {
                gateway["Gateway__Backends__s3__" + key] = value;
            }
            gateway[$"Gateway__Tenants__bench__Backends__{index++}"] = "s3";
        }
        foreach (var (key, value) in options.GatewayEnvironment)
        {
            gateway[key] = value;
        }
        Gateway = Add(await ChildProcess.StartDotnetAsync("gateway", Dll("gateway", "Gateway"), gateway, GatewayCpus, cancellationToken));
        Gateways.Add(Gateway);
        if (options.Scale is not null)
        {
            // A second instance on the same Redis and key prefix: sessions and parts are shared state, as in a deployment.
            Gateways.Add(Add(await ChildProcess.StartDotnetAsync("gateway-2", Dll("gateway", "Gateway"), gateway, GatewayCpus, cancellationToken)));
        }
        if (options.CompareRepository is { } before)
        {
            var root = Path.GetFullPath(before);
            gateway["Gateway__Store__KeyPrefix"] = "bench-before";
            gateway["Gateway__Forwarding__SpoolDirectory"] = Directory("gateway-before-spool");
            // A build from before the re-chunker moved into the core reads its staging folder under the tus front's
            // key, and the new one refuses that key: each gets the key it knows.
            gateway.Remove("Gateway__Rechunking__StagingDirectory");
            gateway[System.IO.Directory.Exists(Path.Combine(root, "gateway", "Rechunking")) ? "Gateway__Rechunking__StagingDirectory" : "Gateway__Tus__StagingDirectory"] =
                Directory("gateway-before-tus");
            foreach (var (key, value) in options.BeforeEnvironment)
            {
                gateway[key] = value;
            }
            GatewayBefore = Add(await ChildProcess.StartDotnetAsync("gateway-before", Dll("gateway", "Gateway", root), gateway, GatewayCpus, cancellationToken));
        }

        if (options.Paths.Contains(UploadPathKind.Haproxy))
        {
            await StartHaproxyAsync(work, cancellationToken);
        }
        if (options.Paths.Contains(UploadPathKind.Nginx))
        {
            await StartNginxAsync(work, cancellationToken);
        }
        if (options.Paths.Contains(UploadPathKind.TusPeer))
        {
            TusPeer = Add(await TusPeerServer.StartAsync(repository, Directory("tus-peer"), GatewayCpus, cancellationToken));
        }
    }

    /// <summary>Where a plain proxy path reaches a backend's mock.</summary>
    public Uri ProxyFront(UploadPathKind path, string backend) => _proxyFronts[(path, backend)];

    /// <summary>The mocks that run, each with a free port for a proxy's front end.</summary>
    private List<(string Backend, int Port, Uri Mock)> ProxyPorts()
    {
        var ports = new List<(string, int, Uri)>();
        if (Sandbox is not null)
        {
            ports.Add(("sandbox", FreePort(), Sandbox.BaseAddress));
        }
        if (Box is not null)
        {
            ports.Add(("box", FreePort(), Box.BaseAddress));
        }
        if (Rgw is not null)
        {
            ports.Add(("s3", FreePort(), Rgw.BaseAddress));
        }
        return ports;
    }

    private void AddFronts(UploadPathKind path, List<(string Backend, int Port, Uri Mock)> ports)
    {
        foreach (var (backend, port, _) in ports)
        {
            _proxyFronts[(path, backend)] = new Uri($"http://127.0.0.1:{port}/");
        }
    }

    /// <summary>
    /// One haproxy in HTTP mode with a front end per mock: request bodies stream through (haproxy does not buffer them
    /// unless told to), one thread, as plain a proxy hop as there is.
    /// </summary>
    private async Task StartHaproxyAsync(string work, CancellationToken cancellationToken)
    {
        var sections = new System.Text.StringBuilder("""
            global
                nbthread 1
                maxconn 1024
            defaults
                mode http
                timeout connect 5s
                timeout client 120s
                timeout server 120s

            """);
        var ports = ProxyPorts();
        foreach (var (name, port, mock) in ports)
        {
            sections.Append(CultureInfo.InvariantCulture, $"""
                frontend {name}
                    bind 127.0.0.1:{port}
                    default_backend {name}-mock
                backend {name}-mock
                    server mock {mock.Host}:{mock.Port}

                """);
        }
        var configuration = Path.Combine(work, "haproxy.cfg");
        await File.WriteAllTextAsync(configuration, sections.ToString(), cancellationToken);
        Add(await ChildProcess.StartProxyAsync("haproxy", Find("haproxy", "haproxy"), ["-db", "-f", configuration], ports[0].Port, GatewayCpus, cancellationToken));
        AddFronts(UploadPathKind.Haproxy, ports);
    }

    /// <summary>
    /// nginx as deployments run it in front of an upload API: one worker, request bodies streamed
    /// (<c>proxy_request_buffering off</c>, no size limit), HTTP/1.1 keep-alive to the mock, the client's Host passed on
    /// (mock-box builds <c>session_endpoints</c> from it). Temp paths and logs in the run's folder, so no root-owned
    /// defaults are touched.
    /// </summary>
    private async Task StartNginxAsync(string work, CancellationToken cancellationToken)
    {
        var directory = System.IO.Directory.CreateDirectory(Path.Combine(work, "nginx")).FullName;
        var config = new System.Text.StringBuilder($$"""
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                client_max_body_size 0;
                proxy_request_buffering off;
                proxy_buffering off;
                proxy_http_version 1.1;
                proxy_read_timeout 120s;
                proxy_send_timeout 120s;

            """);
        var ports = ProxyPorts();
        foreach (var (name, port, mock) in ports)
        {
            config.Append(CultureInfo.InvariantCulture, $$"""
                    upstream {{name}}-mock { server {{mock.Host}}:{{mock.Port}}; keepalive 64; }
                    server {
                        listen 127.0.0.1:{{port}};
                        location / {
                            proxy_pass http://{{name}}-mock;
                            proxy_set_header Host $http_host;
                            proxy_set_header Connection "";
                        }
                    }

                """);
        }
        config.AppendLine("}");
        var configuration = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(configuration, config.ToString(), cancellationToken);
        Add(await ChildProcess.StartProxyAsync("nginx", Find("nginx", "nginx"), ["-c", configuration, "-p", directory], ports[0].Port, GatewayCpus, cancellationToken));
        AddFronts(UploadPathKind.Nginx, ports);
    }

    /// <summary>Moves every thread of the benchmark itself onto <paramref name="cpus"/> (threads started later inherit it).</summary>
    private static void PinSelf(string cpus)
    {
        using var taskset = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("taskset")
        {
            ArgumentList = { "-a", "-c", "-p", cpus, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
        }) ?? throw new BenchException("Could not run taskset.");
        taskset.StandardOutput.ReadToEnd();
        taskset.WaitForExit();
        if (taskset.ExitCode != 0)
        {
            throw new BenchException("taskset could not pin the benchmark's threads.");
        }
    }

    /// <summary>Waits until the gateway answers <c>/readyz</c> with 200 (Redis and the backends reachable).</summary>
    public async Task WaitUntilReadyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        foreach (var gateway in Gateways.Concat(GatewayBefore is null ? [] : [GatewayBefore]))
        {
            await WaitUntilReadyAsync(http, gateway, cancellationToken);
        }
    }

    private static async Task WaitUntilReadyAsync(HttpClient http, ChildProcess gateway, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(gateway.BaseAddress, "readyz"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(200, cancellationToken);
        }
        throw new BenchException($"{gateway.Name} did not become ready: {last}\n{gateway.Output}");
    }

    private ChildProcess Add(ChildProcess child)
    {
        _children.Add(child);
        return child;
    }

    private static string Find(string executable, string package)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin"))
        {
            var candidate = Path.Combine(directory, executable);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new BenchException($"{executable} is not installed (Debian: apt-get install -y {package}).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        // The gateway first, so it does not log the backends vanishing under it.
        for (var i = _children.Count - 1; i >= 0; i--)
        {
            await _children[i].DisposeAsync();
        }
        _children.Clear();
    }
}
