using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Bench.Services;

/// <summary>
/// A Redis Cluster of three masters, no replicas, for the scale scenario's <c>--scale-cluster</c>: three
/// redis-server processes in cluster mode on free loopback ports (each port + 10000 free too, for the cluster bus),
/// joined by <c>redis-cli --cluster create</c>, ready once every node reports <c>cluster_state:ok</c>.
/// </summary>
internal static class RedisClusterNodes
{
    public const int Masters = 3;

    public static async Task<List<ChildProcess>> StartAsync(string server, string cli, string work, string? cpus, CancellationToken cancellationToken)
    {
        var nodes = new List<ChildProcess>();
        var ports = Ports();
        for (var i = 0; i < Masters; i++)
        {
            var directory = Directory.CreateDirectory(Path.Combine(work, $"redis-{i + 1}")).FullName;
            nodes.Add(await ChildProcess.StartRedisAsync(server, ports[i], directory, cpus, cancellationToken,
                name: i == 0 ? "redis-server" : $"redis-server-{i + 1}", cluster: true));
        }
        var create = await RunAsync(cli, ["--cluster", "create", .. ports.Select(p => $"127.0.0.1:{I(p)}"), "--cluster-replicas", "0", "--cluster-yes"], cancellationToken);
        if (create.ExitCode != 0)
        {
            throw new BenchException($"redis-cli --cluster create failed: {create.Output}");
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var port in ports)
        {
            while (!(await RunAsync(cli, ["-p", I(port), "cluster", "info"], cancellationToken)).Output.Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new BenchException($"The Redis Cluster node on port {port} did not reach cluster_state:ok in 30 s.");
                }
                await Task.Delay(50, cancellationToken);
            }
        }
        return nodes;
    }

    /// <summary>Three free ports below 55535 whose cluster-bus ports (+10000) are free as well.</summary>
    private static int[] Ports()
    {
        var ports = new List<int>();
        while (ports.Count < Masters)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (port < 55535 && !ports.Contains(port) && Free(port + 10000))
            {
                ports.Add(port);
            }
        }
        return [.. ports];
    }

    private static bool Free(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string executable, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new BenchException($"Could not run {executable}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output + await errors);
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
