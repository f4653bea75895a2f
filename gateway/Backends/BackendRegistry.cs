using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.LoadBalancing;

namespace Gateway.Backends;

/// <summary>
/// The configured backends by name, each built by the plugin its <c>Type</c> names (<see cref="BackendTypes"/>)
/// over its YARP cluster.
/// </summary>
internal sealed class BackendRegistry
{
    private readonly Dictionary<string, IUploadBackend> _backends = new(StringComparer.Ordinal);

    public BackendRegistry(IOptions<BackendCatalogOptions> options, BackendTypes types, IConfiguration configuration, IProxyStateLookup proxy,
        IEnumerable<ILoadBalancingPolicy> policies, IHttpClientFactory clients, IEnumerable<BackendDecorator> decorators)
    {
        var loadBalancing = policies.ToList();
        var wrappers = decorators.ToList();
        foreach (var (name, backend) in options.Value.Backends)
        {
            // BackendCatalogValidation refused unknown types at start-up.
            if (!types.TryGet(backend.Type, out var type))
            {
                throw new InvalidOperationException($"Backend '{name}' has unknown type '{backend.Type}'.");
            }
            var cluster = new BackendCluster(backend.Cluster, proxy, loadBalancing);
            var http = new BackendHttp(name, cluster, backend, clients);
            var section = configuration.GetSection($"{BackendCatalogOptions.Section}:Backends:{name}");
            var adapter = type.Create(new BackendContext(name, backend.Type, backend, section, http));
            _backends[name] = wrappers.Aggregate(adapter, (inner, decorate) => decorate(inner));
        }
    }

    public IEnumerable<IUploadBackend> All => _backends.Values;

    public bool TryGet(string name, out IUploadBackend backend) => _backends.TryGetValue(name, out backend!);

    /// <summary>A backend a session names; sessions only name configured backends.</summary>
    public IUploadBackend Get(string name) => _backends[name];
}
