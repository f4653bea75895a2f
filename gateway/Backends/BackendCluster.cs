using Gateway.Domain;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Gateway.Backends;

/// <summary>
/// A backend's YARP cluster (<c>ReverseProxy:Clusters</c>): its HTTP client (one long-lived
/// <see cref="HttpMessageInvoker"/> built by YARP from the cluster's settings) and a destination picked by
/// the cluster's load-balancing policy among the ones its health checks consider available.
/// </summary>
internal sealed class BackendCluster(string clusterId, IProxyStateLookup proxy, IEnumerable<ILoadBalancingPolicy> policies)
{
    private readonly Dictionary<string, ILoadBalancingPolicy> _policies =
        policies.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    public ClusterState State =>
        proxy.TryGetCluster(clusterId, out var cluster)
            ? cluster
            : throw new InvalidOperationException($"YARP cluster '{clusterId}' is not loaded.");

    public HttpMessageInvoker Client => State.Model.HttpClient;

    /// <summary>A destination for the next request, or <c>backend_unavailable</c> when none is available.</summary>
    public DestinationState PickDestination(HttpContext? context = null)
    {
        var cluster = State;
        var available = cluster.DestinationsState.AvailableDestinations;
        var policyName = cluster.Model.Config.LoadBalancingPolicy ?? LoadBalancingPolicies.PowerOfTwoChoices;
        var destination = available.Count switch
        {
            0 => null,
            1 => available[0],
            _ => _policies.TryGetValue(policyName, out var policy)
                ? policy.PickDestination(context ?? new DefaultHttpContext(), cluster, available)
                : available[Random.Shared.Next(available.Count)],
        };
        return destination ?? throw new GatewayException(ErrorCode.BackendUnavailable,
            "No destination of the backend is available; retry shortly.") { RetryAfter = TimeSpan.FromSeconds(1) };
    }

    /// <summary>The base URI of a destination, without a trailing slash.</summary>
    public static Uri BaseOf(DestinationState destination) => new(destination.Model.Config.Address.TrimEnd('/') + "/");

    /// <summary>Whether a URL a backend gave us points at one of this cluster's own destinations.</summary>
    public bool Owns(Uri url) =>
        State.Destinations.Values.Any(d => Uri.Compare(BaseOf(d), url, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0);
}
