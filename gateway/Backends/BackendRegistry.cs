using Gateway.Backends.Box;
using Gateway.Backends.Sandbox;
using Gateway.Telemetry;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.LoadBalancing;

namespace Gateway.Backends;

/// <summary>The configured backends by name, each with its adapter and its YARP cluster.</summary>
internal sealed class BackendRegistry
{
    public const string SandboxType = "sandbox";
    public const string BoxType = "box";

    private readonly Dictionary<string, (IUploadBackend Backend, BackendCluster Cluster)> _backends = new(StringComparer.Ordinal);

    public BackendRegistry(IOptions<BackendCatalogOptions> options, IProxyStateLookup proxy, IEnumerable<ILoadBalancingPolicy> policies, GatewayMetrics metrics,
        IHttpClientFactory clients)
    {
        var loadBalancing = policies.ToList();
        foreach (var (name, backend) in options.Value.Backends)
        {
            var cluster = new BackendCluster(backend.Cluster, proxy, loadBalancing);
            var http = new BackendHttp(name, cluster, backend, clients);
            IUploadBackend adapter = backend.Type switch
            {
                SandboxType => new SandboxBackend(name, backend, http),
                BoxType => new BoxBackend(name, backend, http),
                _ => throw new InvalidOperationException($"Backend '{name}' has unknown type '{backend.Type}'."),
            };
            _backends[name] = (new InstrumentedBackend(adapter, metrics), cluster);
        }
    }

    public IEnumerable<IUploadBackend> All => _backends.Values.Select(b => b.Backend);

    public bool TryGet(string name, out IUploadBackend backend)
    {
        var found = _backends.TryGetValue(name, out var entry);
        backend = entry.Backend;
        return found;
    }

    public IUploadBackend Get(string name) => _backends[name].Backend;

    public BackendCluster ClusterOf(string name) => _backends[name].Cluster;
}
