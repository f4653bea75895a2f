using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace TestSupport;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, owned by one test class (use as
/// <c>IClassFixture&lt;RedisServer&gt;</c>) and stopped with it. Nothing is persisted.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private Process? _process;

    public int Port { get; private set; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    public async Task InitializeAsync()
    {
        var binary = FindOnPath("redis-server")
            ?? throw new InvalidOperationException("redis-server is not installed: run `apt-get install -y redis-server` (the test command in README.md does it for you).");
        // A port picked from the kernel can be taken by someone else before redis binds it: try a few.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            Port = FreePort();
            var info = new ProcessStartInfo(binary)
            {
                ArgumentList = { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            _process = Process.Start(info)!;
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            if (await WaitForPongAsync(Port, _process))
            {
                return;
            }
            await DisposeAsync();
        }
        throw new InvalidOperationException("redis-server did not start on a free loopback port after 5 attempts.");
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process?.Dispose();
        _process = null;
        return Task.CompletedTask;
    }

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

    private static async Task<bool> WaitForPongAsync(int port, Process process)
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
            await Task.Delay(20);
        }
        return false;
    }
}
