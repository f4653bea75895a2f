using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TestSupport;

/// <summary>
/// How a Redis Cluster of <see cref="Masters"/> masters and no replicas is laid out on loopback and joined, for the
/// tests' <c>RedisCluster</c> fixture and the bench's <c>--scale-cluster</c>. The bench compiles this file in as a
/// linked source file (bench/Bench.csproj) rather than referencing the test projects.
/// </summary>
internal static class RedisClusterSetup
{
    public const int Masters = 3;

    /// <summary>
    /// Free loopback ports below 55535 whose cluster-bus port (+10000, where a cluster node also listens) is free
    /// as well. Free when picked: someone else may take one before redis binds it, so callers retry.
    /// </summary>
    public static int[] NodePorts()
    {
        var ports = new List<int>();
        while (ports.Count < Masters)
        {
            var port = FreePort(0);
            if (port is { } free && free < 55535 && !ports.Contains(free) && !ports.Contains(free + 10000) && FreePort(free + 10000) is not null)
            {
                ports.Add(free);
            }
        }
        return [.. ports];
    }

    /// <summary>
    /// Joins started nodes into one cluster (<c>redis-cli --cluster create</c>) and waits until every node reports
    /// <c>cluster_state:ok</c>: create returns once the slots are assigned; each node says ok once it has heard of
    /// all the others.
    /// </summary>
    /// <exception cref="InvalidOperationException">The nodes could not be joined, or not within 30 s.</exception>
    public static async Task CreateAsync(string cli, IReadOnlyList<int> ports, CancellationToken cancellationToken)
    {
        var create = await RunAsync(cli, ["--cluster", "create", .. ports.Select(p => $"127.0.0.1:{I(p)}"), "--cluster-replicas", "0", "--cluster-yes"], cancellationToken);
        if (create.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed ({create.ExitCode}):\n{create.Output}");
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var port in ports)
        {
            while (!(await RunAsync(cli, ["-p", I(port), "cluster", "info"], cancellationToken)).Output.Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"The Redis Cluster node on 127.0.0.1:{I(port)} did not reach cluster_state:ok in 30 s.");
                }
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    /// <summary>The port bound (0: any free one), or null when it is taken.</summary>
    private static int? FreePort(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not run {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
