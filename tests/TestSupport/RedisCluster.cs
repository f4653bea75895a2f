using System.Diagnostics;
using System.Globalization;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace TestSupport;

/// <summary>
/// A Redis Cluster of three masters (no replicas), each a <c>redis-server</c> process on a loopback port of its
/// own, owned by one test class (<c>IClassFixture&lt;RedisCluster&gt;</c>) and stopped with it. A cluster node
/// also listens on its port + 10000 (the cluster bus), so every node port is below 55535 and both are free.
/// </summary>
public sealed class RedisCluster(IMessageSink output) : IAsyncLifetime
{
    public const int Masters = RedisClusterSetup.Masters;

    private readonly List<Process> _nodes = [];
    private string? _directory;

    public IReadOnlyList<int> Ports { get; private set; } = [];

    /// <summary>
    /// A StackExchange.Redis configuration string for the cluster: its nodes, comma-separated. The client asks
    /// them for the slot map and sends each command to the master of its key's slot.
    /// </summary>
    public string ConnectionString => string.Join(',', Ports.Select(p => $"127.0.0.1:{p}")) + ",abortConnect=false";

    public async Task InitializeAsync()
    {
        var server = RedisServer.FindOnPath("redis-server")
            ?? throw new InvalidOperationException("redis-server is not installed: run `apt-get install -y redis-server` (the test command in README.md does it for you).");
        var cli = RedisServer.FindOnPath("redis-cli")
            ?? throw new InvalidOperationException("redis-cli is not installed: run `apt-get install -y redis-server` (the test command in README.md does it for you).");
        _directory = Directory.CreateTempSubdirectory("gateway-tests-cluster-").FullName;

        // A port picked from the kernel can be taken by someone else before redis binds it: try a few.
        for (var attempt = 1; Ports.Count == 0; attempt++)
        {
            var ports = RedisClusterSetup.NodePorts();
            if (await StartNodesAsync(server, ports))
            {
                Ports = ports;
            }
            else if (attempt == 5)
            {
                throw new InvalidOperationException("The Redis Cluster nodes did not start on free loopback ports after 5 attempts.");
            }
        }

        await RedisClusterSetup.CreateAsync(cli, Ports, CancellationToken.None);
        output.OnMessage(new DiagnosticMessage(
            $"Redis Cluster for this test class: {Masters} redis-server masters on 127.0.0.1:{string.Join(",", Ports)} (redis-cli --cluster create)"));
    }

    public Task DisposeAsync()
    {
        StopNodes();
        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        return Task.CompletedTask;
    }

    private async Task<bool> StartNodesAsync(string server, IReadOnlyList<int> ports)
    {
        foreach (var port in ports)
        {
            var p = port.ToString(CultureInfo.InvariantCulture);
            var info = new ProcessStartInfo(server)
            {
                ArgumentList =
                {
                    "--port", p, "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                    "--cluster-config-file", $"nodes-{p}.conf", "--dir", _directory!,
                    "--save", "", "--appendonly", "no", "--daemonize", "no",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var node = Process.Start(info)!;
            node.OutputDataReceived += (_, _) => { };
            node.ErrorDataReceived += (_, _) => { };
            node.BeginOutputReadLine();
            node.BeginErrorReadLine();
            _nodes.Add(node);
        }
        foreach (var (node, port) in _nodes.Zip(ports))
        {
            if (!await RedisServer.WaitForPongAsync(port, node))
            {
                StopNodes();
                return false;
            }
        }
        return true;
    }

    private void StopNodes()
    {
        foreach (var node in _nodes)
        {
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
                node.WaitForExit();
            }
            node.Dispose();
        }
        _nodes.Clear();
        foreach (var file in _directory is null ? [] : Directory.GetFiles(_directory, "nodes-*.conf"))
        {
            File.Delete(file);
        }
    }
}
