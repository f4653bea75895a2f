using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using Testcontainers.Redis;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace TestSupport;

/// <summary>
/// The Redis of one test class (<c>IClassFixture&lt;RedisServer&gt;</c>; in xunit 2 each class is its own
/// collection, so this is one Redis per collection, never per test), removed with it even when its tests
/// fail. A Testcontainers.Redis container of <c>TEST_REDIS_IMAGE</c> (default <c>redis:7</c>) when a Docker
/// engine answers, otherwise a <c>redis-server</c> process; one line in the test output says which and why.
/// Either way it listens on a loopback port of its own that stays the same across <see cref="RestartAsync"/>,
/// so a gateway keeps its connection string through a Redis restart, as it would in production.
/// </summary>
public class RedisServer(IMessageSink output) : IAsyncLifetime
{
    public const string ImageVariable = "TEST_REDIS_IMAGE";
    public const string DefaultImage = "redis:7";

    /// <summary>On every container the tests start, so CI can remove what a crashed test process left behind.</summary>
    public const string ContainerLabel = "gateway-tests";

    // Without the resource reaper (Ryuk; TESTCONTAINERS_RYUK_DISABLED=true where no registry serves its image)
    // Testcontainers only stops a container on dispose. A reaper session id of our own makes dispose remove it.
    private static readonly Guid s_session = Guid.NewGuid();

    private RedisContainer? _container;
    private Process? _process;
    private string? _directory;

    public int Port { get; private set; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    /// <summary>What runs this Redis, as the test output names it.</summary>
    public string Description { get; private set; } = "";

    /// <summary>True to write an append-only file, fsynced on every write, so data outlives a restart.</summary>
    protected virtual bool AppendOnly => false;

    private string[] Persistence => AppendOnly
        ? ["--save", "", "--appendonly", "yes", "--appendfsync", "always"]
        : ["--save", "", "--appendonly", "no"];

    public async Task InitializeAsync()
    {
        var image = Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } configured ? configured : DefaultImage;
        string? noEngine = null;
        try
        {
            await StartContainerAsync(image);
        }
        catch (DockerUnavailableException e)
        {
            noEngine = (e.InnerException as AggregateException)?.InnerExceptions.FirstOrDefault()?.Message
                ?? e.Message.Split('\n')[0];
        }
        if (noEngine is not null)
        {
            await StartProcessAsync();
            Description = $"a redis-server process (pid {_process!.Id}) on 127.0.0.1:{Port}";
            Say($"Redis for this test class: {Description}, because no Docker engine answered ({noEngine})");
        }
        else
        {
            Description = $"Testcontainers container {_container!.Id[..12]} ({_container.Name.TrimStart('/')}, image {image}) on 127.0.0.1:{Port}";
            Say($"Redis for this test class: {Description}, because a Docker engine answered at {TestcontainersSettings.OS.DockerEndpointAuthConfig.Endpoint}");
        }
    }

    /// <summary>Stops Redis and starts it again on the same port: with <see cref="AppendOnly"/>, data survives.</summary>
    public async Task RestartAsync()
    {
        if (_container is not null)
        {
            await _container.StopAsync();
            await _container.StartAsync();
            return;
        }
        StopProcess();
        if (!await TryStartProcessAsync(Port))
        {
            throw new InvalidOperationException($"redis-server did not start again on 127.0.0.1:{Port}.");
        }
    }

    public async Task DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
            _container = null;
        }
        StopProcess();
        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
            _directory = null;
        }
    }

    private async Task StartContainerAsync(string image)
    {
        // A port picked from the kernel can be taken by someone else before Docker binds it: try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            var builder = new RedisBuilder(image)
                .WithCommand(Persistence)
                .WithPortBinding(Port, RedisBuilder.RedisPort)
                // Loopback only, not every interface of the machine.
                .WithCreateParameterModifier(create =>
                {
                    foreach (var bindings in create.HostConfig?.PortBindings?.Values ?? [])
                    {
                        foreach (var binding in bindings)
                        {
                            binding.HostIP = "127.0.0.1";
                        }
                    }
                })
                .WithLabel(ContainerLabel, "redis");
            if (!TestcontainersSettings.ResourceReaperEnabled)
            {
                builder = builder.WithLabel(ResourceReaper.ResourceReaperSessionLabel, s_session.ToString("D"));
            }
            var container = builder.Build();
            try
            {
                await container.StartAsync();
                _container = container;
                return;
            }
            catch (Exception e) when (attempt < 5 && IsPortConflict(e))
            {
                await container.DisposeAsync();
            }
            catch
            {
                await container.DisposeAsync();
                throw;
            }
        }
    }

    private static bool IsPortConflict(Exception e) =>
        e.Message.Contains("already allocated", StringComparison.Ordinal) || e.Message.Contains("address already in use", StringComparison.Ordinal);

    private async Task StartProcessAsync()
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            if (await TryStartProcessAsync(FreePort()))
            {
                return;
            }
        }
        throw new InvalidOperationException("redis-server did not start on a free loopback port after 5 attempts.");
    }

    private async Task<bool> TryStartProcessAsync(int port)
    {
        var binary = FindOnPath("redis-server")
            ?? throw new InvalidOperationException("No Docker engine answered and redis-server is not installed: start Docker, or run `apt-get install -y redis-server` (the test command in README.md does both for you).");
        _directory ??= Directory.CreateTempSubdirectory("gateway-tests-redis-").FullName;
        Port = port;
        var info = new ProcessStartInfo(binary)
        {
            ArgumentList = { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory, "--daemonize", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in Persistence)
        {
            info.ArgumentList.Add(argument);
        }
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (await WaitForPongAsync(port, _process))
        {
            return true;
        }
        StopProcess();
        return false;
    }

    private void StopProcess()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process?.Dispose();
        _process = null;
    }

    private void Say(string line) => output.OnMessage(new DiagnosticMessage(line));

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/sbin")
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    internal static async Task<bool> WaitForPongAsync(int port, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer);
                if (System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return true;
                }
            }
            catch (SocketException)
            {
            }
            catch (IOException)
            {
            }
            await Task.Delay(20);
        }
        return false;
    }
}

/// <summary>
/// A <see cref="RedisServer"/> that writes an append-only file and fsyncs it on every write, so what a test
/// wrote is still there after <see cref="RedisServer.RestartAsync"/>: for the durability tests.
/// </summary>
public sealed class DurableRedisServer(IMessageSink output) : RedisServer(output)
{
    protected override bool AppendOnly => true;
}
