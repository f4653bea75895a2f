using Gateway.Backends.Box;
using Gateway.Backends.S3;
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

    /// <summary>The backend types a configuration may name.</summary>
    public static readonly IReadOnlyList<string> Types = [SandboxType, BoxType, S3Backend.TypeName];

    /// <summary>Types that reach their backend through a <c>ReverseProxy:Clusters</c> entry and a <c>Credential</c>; the others bring their own.</summary>
    public static bool UsesClusterAndCredential(string type) => type is SandboxType or BoxType;

    private readonly Dictionary<string, IUploadBackend> _backends = new(StringComparer.Ordinal);

    public BackendRegistry(IOptions<BackendCatalogOptions> options, IProxyStateLookup proxy, IEnumerable<ILoadBalancingPolicy> policies,
        IHttpClientFactory clients, IEnumerable<BackendDecorator> decorators, IServiceProvider services)
    {
        var loadBalancing = policies.ToList();
        var wrappers = decorators.ToList();
        foreach (var (name, backend) in options.Value.Backends)
        {
            BackendCluster Cluster(string id) => new(id, proxy, loadBalancing);
            BackendHttp Http() => new(name, Cluster(backend.Cluster), backend, clients);
            IUploadBackend adapter = backend.Type switch
            {
                SandboxType => new SandboxBackend(name, backend, Http()),
                BoxType => new BoxBackend(name, backend, Http()),
                S3Backend.TypeName => S3Backend.Create(name, backend, Cluster, services),
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
