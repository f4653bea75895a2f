using TestSupport;

namespace Bench.Services;

/// <summary>
/// A Redis Cluster of three masters, no replicas, for the scale scenario's <c>--scale-cluster</c>: three
/// redis-server processes in cluster mode on free loopback ports (each port + 10000 free too, for the cluster bus),
/// joined by <c>redis-cli --cluster create</c>, ready once every node reports <c>cluster_state:ok</c>.
/// </summary>
internal static class RedisClusterNodes
{
    public const int Masters = RedisClusterSetup.Masters;

    public static async Task<List<ChildProcess>> StartAsync(string server, string cli, string work, string? cpus, CancellationToken cancellationToken)
    {
        var nodes = new List<ChildProcess>();
        var ports = RedisClusterSetup.NodePorts();
        for (var i = 0; i < Masters; i++)
        {
            var directory = Directory.CreateDirectory(Path.Combine(work, $"redis-{i + 1}")).FullName;
            nodes.Add(await ChildProcess.StartRedisAsync(server, ports[i], directory, cpus, cancellationToken,
                name: i == 0 ? "redis-server" : $"redis-server-{i + 1}", cluster: true));
        }
        try
        {
            await RedisClusterSetup.CreateAsync(cli, ports, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            throw new BenchException(e.Message);
        }
        return nodes;
    }
}
