using Gateway.Backends.Box;
using Gateway.Backends.Sandbox;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.LoadBalancing;

namespace Gateway.Backends;

/// <summary>The configured backends by name, each with its adapter and its YARP cluster.</summary>
internal sealed class BackendRegistry
{
    public const string SandboxType = "sandbox";
    public const string BoxType = "box";

    private readonly Dictionary<string, IUploadBackend> _backends = new(StringComparer.Ordinal);

    public BackendRegistry(IOptions<BackendCatalogOptions> options, IProxyStateLookup proxy, IEnumerable<ILoadBalancingPolicy> policies,
        IHttpClientFactory clients, IEnumerable<BackendDecorator> decorators)
    {
        var loadBalancing = policies.ToList();
        var wrappers = decorators.ToList();
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
            _backends[name] = wrappers.Aggregate(adapter, (inner, decorate) => decorate(inner));
        }
    }

    public IEnumerable<IUploadBackend> All => _backends.Values;

    public bool TryGet(string name, out IUploadBackend backend) => _backends.TryGetValue(name, out backend!);

    /// <summary>A backend a session names; sessions only name configured backends.</summary>
    public IUploadBackend Get(string name) => _backends[name];
}
